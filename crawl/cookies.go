package crawl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Limits of a cookie file. A browser export of one site's cookies is a few kilobytes and a
// few dozen cookies; a whole profile's export is at most a few thousand. Beyond these a file
// is a mistake (or worse), and every cookie of it would be matched against every request.
const (
	// MaxCookieFileBytes bounds a cookie file.
	MaxCookieFileBytes = 4 << 20
	// MaxCookies bounds the cookies of one file.
	MaxCookies = 5000
	// MaxCookieBytes bounds one cookie's name and value together; browsers keep 4 KiB.
	MaxCookieBytes = 8 << 10
)

// LoadCookies reads a cookie export: a Netscape cookies.txt (the format curl and most
// browser extensions write), a JSON array of {name, value, domain, path, secure,
// expirationDate} (Cookie-Editor, EditThisCookie), or a JSON object holding such a list
// under "cookies" (Playwright's and Puppeteer's storage state). Errors name the file and
// line (or cookie), never a cookie's value.
func LoadCookies(path string) ([]*http.Cookie, error) {
	b, err := readCookieFile(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF}))
	if len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{') {
		return parseJSONCookies(path, trimmed)
	}
	return parseNetscapeCookies(path, b)
}

// readCookieFile reads at most MaxCookieFileBytes, refusing a bigger file before reading it.
func readCookieFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read cookies file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read cookies file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("cannot read cookies file %s: not a regular file", path)
	}
	tooBig := fmt.Errorf("cookies file %s: over %d MiB: export only the cookies of the site crawled", path, MaxCookieFileBytes>>20)
	if info.Size() > MaxCookieFileBytes {
		return nil, tooBig
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxCookieFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read cookies file %s: %w", path, err)
	}
	if len(b) > MaxCookieFileBytes {
		return nil, tooBig // it grew while we read
	}
	return b, nil
}

func parseNetscapeCookies(path string, b []byte) ([]*http.Cookie, error) {
	var out []*http.Cookie
	for i, raw := range bytes.Split(b, []byte("\n")) {
		line := i + 1
		if len(raw) > MaxCookieBytes+1024 {
			return nil, fmt.Errorf("%s line %d: %d bytes, longer than any cookie (at most %d KiB)", path, line, len(raw), MaxCookieBytes>>10)
		}
		text := strings.TrimRight(string(raw), "\r")
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
		if err := checkCookie(c); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if out = append(out, c); len(out) > MaxCookies {
			return nil, fmt.Errorf("%s line %d: more than %d cookies: export only the cookies of the site crawled", path, line, MaxCookies)
		}
	}
	return out, nil
}

// checkCookie refuses what no browser would send, by name and size only.
func checkCookie(c *http.Cookie) error {
	switch {
	case c.Name == "":
		return errors.New("a cookie without a name")
	case len(c.Name)+len(c.Value) > MaxCookieBytes:
		return fmt.Errorf("cookie %s: %d bytes, over the %d KiB a cookie may have", c.Name, len(c.Name)+len(c.Value), MaxCookieBytes>>10)
	}
	return nil
}

type jsonCookie struct {
	Name           string  `json:"name"`
	Value          string  `json:"value"`
	Domain         string  `json:"domain"`
	Path           string  `json:"path"`
	Secure         bool    `json:"secure"`
	HTTPOnly       bool    `json:"httpOnly"`
	ExpirationDate float64 `json:"expirationDate"` // Cookie-Editor, EditThisCookie
	Expires        float64 `json:"expires"`        // Playwright, Puppeteer (-1: session)
}

func parseJSONCookies(path string, b []byte) ([]*http.Cookie, error) {
	var in []jsonCookie
	if b[0] == '{' {
		var state struct {
			Cookies *[]jsonCookie `json:"cookies"`
			Name    *string       `json:"name"`
		}
		if err := json.Unmarshal(b, &state); err != nil {
			return nil, jsonCookieError(path, err)
		}
		switch {
		case state.Cookies != nil:
			in = *state.Cookies
		case state.Name != nil: // one cookie on its own
			var one jsonCookie
			if err := json.Unmarshal(b, &one); err != nil {
				return nil, jsonCookieError(path, err)
			}
			in = []jsonCookie{one}
		default:
			return nil, fmt.Errorf("%s: a JSON object without a \"cookies\" list: want a cookie export (a list of cookies, or {\"cookies\": [...]})", path)
		}
	} else if err := json.Unmarshal(b, &in); err != nil {
		return nil, jsonCookieError(path, err)
	}
	if len(in) > MaxCookies {
		return nil, fmt.Errorf("%s: %d cookies, more than %d: export only the cookies of the site crawled", path, len(in), MaxCookies)
	}
	out := make([]*http.Cookie, 0, len(in))
	for i, c := range in {
		hc := &http.Cookie{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path, Secure: c.Secure, HttpOnly: c.HTTPOnly}
		switch {
		case c.ExpirationDate > 0:
			hc.Expires = time.Unix(int64(c.ExpirationDate), 0)
		case c.Expires > 0:
			hc.Expires = time.Unix(int64(c.Expires), 0)
		}
		if err := checkCookie(hc); err != nil {
			return nil, fmt.Errorf("%s: cookie %d: %w", path, i+1, err)
		}
		out = append(out, hc)
	}
	return out, nil
}

// jsonCookieError says where the JSON broke, never what was there (a value, perhaps).
func jsonCookieError(path string, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("%s: not a JSON cookie export (syntax error at byte %d)", path, syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("%s: not a JSON cookie export (%s where a %s belongs, at byte %d)", path, typ.Value, typ.Type, typ.Offset)
	}
	return fmt.Errorf("%s: not a JSON cookie export", path)
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
