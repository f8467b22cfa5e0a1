package config

import (
	"fmt"
	"os"
)

// Environment variables that override admin.token and admin.read_token.
const (
	EnvAdminToken     = "GROUPWATCH_ADMIN_TOKEN"
	EnvAdminReadToken = "GROUPWATCH_ADMIN_READ_TOKEN"
)

// minAdminToken is the shortest admin token accepted: the console's sessions are signed
// with a key derived from it, so a short one is guessable offline.
const minAdminToken = 16

// Admin configures the console (`/` on `pipeline run --http`, and `pipeline console`).
type Admin struct {
	// Token lets an operator log in to the console and act (resend, requeue, silence, crawl
	// now). Inline, "${ENV_VAR}", or overridden by GROUPWATCH_ADMIN_TOKEN; at least 16
	// characters. No token: the console is off (404).
	Token string `yaml:"token"`
	// TokenFile holds the token instead (a mounted secret).
	TokenFile string `yaml:"token_file"`
	// ReadToken, when set, logs in to the console read-only: every page, no action.
	// Overridden by GROUPWATCH_ADMIN_READ_TOKEN.
	ReadToken string `yaml:"read_token"`
	// ReadTokenFile holds the read-only token instead.
	ReadTokenFile string `yaml:"read_token_file"`
}

func (a *Admin) applyEnv() {
	if v := os.Getenv(EnvAdminToken); v != "" {
		a.Token = v
	}
	if v := os.Getenv(EnvAdminReadToken); v != "" {
		a.ReadToken = v
	}
}

func (a *Admin) validate(add func(field, format string, args ...any)) {
	if a.Token != "" && a.TokenFile != "" {
		add("admin.token_file", "set admin.token or admin.token_file, not both")
	}
	if a.ReadToken != "" && a.ReadTokenFile != "" {
		add("admin.read_token_file", "set admin.read_token or admin.read_token_file, not both")
	}
}

// resolve reads the tokens from the environment or their files and checks them once known.
// Errors name the field, never the token.
func (a *Admin) resolve() error {
	var err error
	if a.Token, err = resolveSecret("admin.token", a.Token, a.TokenFile); err != nil {
		return err
	}
	if a.ReadToken, err = resolveSecret("admin.read_token", a.ReadToken, a.ReadTokenFile); err != nil {
		return err
	}
	var errs Errors
	if a.Token != "" && len(a.Token) < minAdminToken {
		errs = append(errs, FieldError{Field: "admin.token", Msg: fmt.Sprintf("must be at least %d characters", minAdminToken)})
	}
	if a.ReadToken != "" && len(a.ReadToken) < minAdminToken {
		errs = append(errs, FieldError{Field: "admin.read_token", Msg: fmt.Sprintf("must be at least %d characters", minAdminToken)})
	}
	if a.ReadToken != "" && a.ReadToken == a.Token {
		errs = append(errs, FieldError{Field: "admin.read_token", Msg: "must differ from admin.token"})
	}
	if a.ReadToken != "" && a.Token == "" {
		errs = append(errs, FieldError{Field: "admin.read_token", Msg: "needs admin.token: the console is off without it"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
