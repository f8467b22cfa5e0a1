package crawl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// LoadCookies reads a cookie export: a Netscape cookies.txt (the format curl and most
// browser extensions write) or a JSON array of {name, value, domain, path, secure,
// expirationDate} (Cookie-Editor, EditThisCookie). Errors name the file and line, never a
// cookie's value.
func LoadCookies(path string) ([]*http.Cookie, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read cookies file: %w", err)
	}
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return parseJSONCookies(path, trimmed)
	}
	return parseNetscapeCookies(path, b)
}

func parseNetscapeCookies(path string, b []byte) ([]*http.Cookie, error) {
	var out []*http.Cookie
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		httpOnly := false
		if rest, ok := strings.CutPrefix(text, "#HttpOnly_"); ok {
			text, httpOnly = rest, true
		}
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("%s line %d: want 7 tab-separated fields (domain, subdomains, path, secure, expiry, name, value), got %d", path, line, len(f))
		}
		c := &http.Cookie{Domain: f[0], Path: f[2], Secure: strings.EqualFold(f[3], "TRUE"), Name: f[5], Value: f[6], HttpOnly: httpOnly}
		if exp, err := strconv.ParseInt(f[4], 10, 64); err == nil && exp > 0 {
			c.Expires = time.Unix(exp, 0)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

type jsonCookie struct {
	Name           string  `json:"name"`
	Value          string  `json:"value"`
	Domain         string  `json:"domain"`
	Path           string  `json:"path"`
	Secure         bool    `json:"secure"`
	HTTPOnly       bool    `json:"httpOnly"`
	ExpirationDate float64 `json:"expirationDate"`
}

func parseJSONCookies(path string, b []byte) ([]*http.Cookie, error) {
	var in []jsonCookie
	if err := json.Unmarshal(b, &in); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%s: not a JSON array of cookies (syntax error at byte %d)", path, syn.Offset)
		}
		return nil, fmt.Errorf("%s: not a JSON array of cookies", path)
	}
	out := make([]*http.Cookie, 0, len(in))
	for i, c := range in {
		if c.Name == "" {
			return nil, fmt.Errorf("%s: cookie %d has no name", path, i+1)
		}
		hc := &http.Cookie{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path, Secure: c.Secure, HttpOnly: c.HTTPOnly}
		if c.ExpirationDate > 0 {
			hc.Expires = time.Unix(int64(c.ExpirationDate), 0)
		}
		out = append(out, hc)
	}
	return out, nil
}

// RequireCookies says which of the named cookies are missing or empty, by name only.
func RequireCookies(cookies []*http.Cookie, names ...string) error {
	have := map[string]bool{}
	for _, c := range cookies {
		if c.Value != "" {
			have[c.Name] = true
		}
	}
	var missing []string
	for _, n := range names {
		if !have[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cookies %s missing: export them from a browser logged in to the account", strings.Join(missing, ", "))
	}
	return nil
}
