package config

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// EnvAPIToken overrides api.token.
const EnvAPIToken = "GROUPWATCH_API_TOKEN"

// API configures the HTTP ingest API (`POST /api/v1/posts` on `pipeline run --http`).
type API struct {
	// Token is the bearer token callers must send. Written inline, as "${ENV_VAR}", or
	// overridden by GROUPWATCH_API_TOKEN. No token: the ingest API is off (404).
	Token string `yaml:"token"`
	// TokenFile is a file holding the token (a mounted secret); used when Token is empty.
	TokenFile string `yaml:"token_file"`
	// MaxBodyBytes bounds a request body; larger requests get 413. Default 10 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
}

var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// resolveSecret turns "${NAME}" into the variable's value and reads file when value is empty.
// Errors name the field and the variable or file, never the secret.
func resolveSecret(field, value, file string) (string, error) {
	if m := envRef.FindStringSubmatch(value); m != nil {
		v, ok := os.LookupEnv(m[1])
		if !ok || v == "" {
			return "", Errors{{Field: field, Msg: fmt.Sprintf("environment variable %s is not set", m[1])}}
		}
		return v, nil
	}
	if value == "" && file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", Errors{{Field: field + "_file", Msg: fmt.Sprintf("cannot read %s: %v", file, unwrapPathError(err))}}
		}
		return strings.TrimSpace(string(b)), nil
	}
	return value, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
