package crawl

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Bounds of what a run stores in crawl_runs.error.
const (
	maxStoredErr  = 1 << 10 // the error line
	maxStoredBody = 8 << 10 // the start of an unexpected page
)

// StoredError is what a run's record keeps of its error, its note and an unexpected page: each
// bounded, valid UTF-8, and stripped of whatever looks like a cookie, a token or a password.
// A page is whatever a site (or a link to a local file) sent: it may hold a session
// cookie's value, and it must not land in a database column or a status screen. Empty when
// there is neither.
func StoredError(r Result) string {
	if r.Err == "" && r.Body == "" && r.Note == "" {
		return ""
	}
	out := scrubSecrets(boundText(r.Err, maxStoredErr))
	if r.Note != "" {
		out = strings.TrimPrefix(out+"\nnote: "+scrubSecrets(boundText(r.Note, maxStoredErr)), "\n")
	}
	if r.Body != "" {
		out += "\n--- start of the page ---\n" + scrubSecrets(boundText(r.Body, maxStoredBody))
	}
	return out
}

// boundText cuts s to at most n bytes on a rune boundary, marks the cut, and replaces
// invalid UTF-8.
func boundText(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " […cut]"
}

const redacted = "[redacted]"

// secretName matches the names under which cookies, tokens and passwords travel.
const secretName = `(?i:c_user|xs|fr|datr|sb|presence|fb_dtsg|jazoest|lsd|csrf\w*|xsrf\w*|\w*token\w*|\w*session\w*|sid|ssid|auth\w*|password|passwd|pwd|secret\w*|api_?key|cookie)`

var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// A Netscape cookies.txt line: domain, flag, path, secure, expiry, name, value.
	{regexp.MustCompile(`(?m)^(#HttpOnly_)?([^\t\n]*\t(?:TRUE|FALSE)\t[^\t\n]*\t(?:TRUE|FALSE)\t[^\t\n]*\t[^\t\n]*\t)[^\n]*`), "$1$2" + redacted},
	// Header lines that carry credentials.
	{regexp.MustCompile(`(?im)^(\s*(?:set-)?cookie\s*:|\s*authorization\s*:)[^\n]*`), "$1 " + redacted},
	// name=value and name: value pairs (query strings, cookie strings, form fields).
	{regexp.MustCompile(`(\b` + secretName + `\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,"'<>]+)`), "$1" + redacted},
	// JSON: "name": "value", and a cookie export's {"name": "xs", "value": "…"}.
	{regexp.MustCompile(`("` + secretName + `"\s*:\s*)"(?:[^"\\]|\\.)*"`), `$1"` + redacted + `"`},
	{regexp.MustCompile(`("value"\s*:\s*)"(?:[^"\\]|\\.)*"`), `$1"` + redacted + `"`},
	// Form fields: <input name="fb_dtsg" value="…">.
	{regexp.MustCompile(`(?i)(name="` + secretName + `"[^>]*?\bvalue=)"[^"]*"`), `$1"` + redacted + `"`},
	// Anything else long and opaque enough to be a key.
	{regexp.MustCompile(`[A-Za-z0-9+/_\-%.]{48,}={0,2}`), redacted},
}

// scrubSecrets replaces what looks like a credential with [redacted].
func scrubSecrets(s string) string {
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}
