package web

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	adminToken = "admin-token-0123456789"
	readToken  = "read-token-0123456789"
)

type harness struct {
	t    *testing.T
	srv  *httptest.Server
	data *fakeData
	logs *bytes.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	logs := &bytes.Buffer{}
	data := &fakeData{}
	c, err := New(Options{AdminToken: adminToken, ReadToken: readToken, Data: data, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return &harness{t: t, srv: srv, data: data, logs: logs}
}

// client is a browser of its own: a cookie jar, and redirects not followed.
func (h *harness) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (h *harness) do(c *http.Client, method, path string, form url.Values, header ...string) (*http.Response, string) {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (h *harness) login(token string) *http.Client {
	h.t.Helper()
	c := h.client()
	resp, _ := h.do(c, "POST", "/login", url.Values{"token": {token}, "next": {"/alerts"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alerts" {
		h.t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (h *harness) csrf(c *http.Client) string {
	h.t.Helper()
	_, body := h.do(c, "GET", "/silences", nil)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		h.t.Fatalf("no CSRF token on the page:\n%s", body)
	}
	return m[1]
}

func TestLoginSetsAStrictHttpOnlyCookie(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	resp, _ := h.do(c, "GET", "/alerts?rule=x", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("no session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := h.do(c, "POST", "/login", url.Values{"token": {"wrong-token-0123456789"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong token.") || strings.Contains(body, "wrong-token") {
		t.Fatalf("wrong token: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = h.do(c, "POST", "/login", url.Values{"token": {adminToken}, "next": {"//evil.example/x"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login with a foreign next: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == sessionCookie {
			ck = k
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || strings.Contains(ck.Value, adminToken) {
		t.Fatalf("session cookie: %+v", ck)
	}
	resp, body = h.do(c, "GET", "/", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "<svg") {
		t.Fatalf("overview after login: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(h.logs.String(), "console login") || !strings.Contains(h.logs.String(), "by=\"admin token\"") {
		t.Fatalf("login not logged with its token:\n%s", h.logs)
	}
	if strings.Contains(h.logs.String(), adminToken) || strings.Contains(h.logs.String(), "wrong-token") {
		t.Fatalf("a token reached the log:\n%s", h.logs)
	}
}

func TestForgedOrExpiredSessionsAreRefused(t *testing.T) {
	h := newHarness(t)
	k := newKeys(adminToken, readToken)
	_, good := k.newSession(RoleRead, time.Now(), time.Hour)
	enc, sig, _ := strings.Cut(good, ".")
	_, expired := k.newSession(RoleAdmin, time.Now().Add(-2*time.Hour), time.Hour)
	// A read session rewritten to say admin keeps the read key's signature: refused.
	forged := strings.Replace(enc, "cmVhZ", "YWRta", 1) + "." + sig
	_, other := newKeys("another-token-0123456789", "").newSession(RoleAdmin, time.Now(), time.Hour)
	for name, value := range map[string]string{"expired": expired, "forged role": forged, "other key": other, "garbage": "x.y"} {
		c := h.client()
		u, _ := url.Parse(h.srv.URL)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: value}})
		if resp, _ := h.do(c, "GET", "/", nil); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s session: %d, want a redirect to the login", name, resp.StatusCode)
		}
	}
	if s, ok := k.parse(good, time.Now()); !ok || s.Role != RoleRead {
		t.Fatalf("good session refused: %+v", s)
	}
}

func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	h := newHarness(t)
	c := h.login(adminToken)
	for _, path := range []string{"/login", "/", "/static/app.js", "/alerts/999", "/nowhere"} {
		resp, _ := h.do(c, "GET", path, nil)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
}

func TestEveryPageRendersEscaped(t *testing.T) {
	h := newHarness(t)
	c := h.login(adminToken)
	for path, want := range map[string][]string{
		"/":                                   {"<svg", "posts.raw", "host-1", `href="/poison">2<`, `data-live="/overview/live"`},
		"/overview/live":                      {"<svg", "posts.raw"},
		"/sources":                            {"fb:群組", "Account acct met a login wall", "pipeline crawl fb:群組", "login wall &lt;b&gt;x&lt;/b&gt;", "Crawl now", ">1.5s<"},
		"/rules":                              {`相機 OR &#34;canon eos&#34;`, `href="/rules/camera"`},
		"/rules/camera":                       {"<svg", "bar", "threshold 3 / 1h0m0s", `name="test_days"`},
		"/rules/camera?test_days=3":           {"Posts read: 10", "<mark>相機</mark>"},
		"/alerts?rule=camera&from=2026-11-01": {`href="/alerts/7"`, `value="camera"`},
		"/alerts/7":                           {"&lt;script&gt;alert(1)&lt;/script&gt; 賣<mark>相機</mark>", "HTTP 404", `id="resend"`},
		"/poison":                             {"posts.raw.poison", "bad json", `value="1-0"`},
		"/poison/entry?topic=posts.raw.poison&id=1-0": {"{not json", "Requeue"},
		"/silences": {"noisy", `id="new-silence"`},
	} {
		resp, body := h.do(c, "GET", path, nil)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d\n%s", path, resp.StatusCode, body)
			continue
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: missing %q", path, w)
			}
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "javascript:") || strings.Contains(body, adminToken) {
			t.Errorf("%s: unescaped or secret content", path)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, " on") && regexp.MustCompile(`\son[a-z]+=`).MatchString(body) {
			t.Errorf("%s: inline script, style or handler", path)
		}
	}
	if _, body := h.do(c, "GET", "/overview/live", nil); strings.Contains(body, "<html") || strings.Contains(body, "<header") {
		t.Error("the overview's live part is a whole page")
	}
	for _, path := range []string{"/alerts/8", "/rules/nope", "/poison/entry?topic=x&id=1"} {
		if resp, _ := h.do(c, "GET", path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, body := h.do(c, "GET", "/alerts?from=yesterday", nil); resp.StatusCode != 400 || !strings.Contains(body, "is not a date") {
		t.Errorf("bad date: %d\n%s", resp.StatusCode, body)
	}
}

func TestActionsNeedSessionCSRFAndTheAdminToken(t *testing.T) {
	h := newHarness(t)
	admin := h.login(adminToken)
	token := h.csrf(admin)

	// No session: refused, nothing done.
	if resp, _ := h.do(h.client(), "POST", "/alerts/7/resend", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no session: %d", resp.StatusCode)
	}
	// A session but no or a wrong CSRF token: refused.
	for _, csrf := range []string{"", "x" + token} {
		if resp, _ := h.do(admin, "POST", "/alerts/7/resend", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("CSRF %q: %d", csrf, resp.StatusCode)
		}
	}
	// Another site's request, even with the token: refused.
	if resp, _ := h.do(admin, "POST", "/alerts/7/resend", url.Values{"csrf": {token}}, "Origin", "https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin: %d", resp.StatusCode)
	}
	// The read-only token looks but does not act.
	reader := h.login(readToken)
	rtoken := h.csrf(reader)
	if resp, body := h.do(reader, "POST", "/alerts/7/resend", url.Values{"csrf": {rtoken}}); resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(body, "admin token") {
		t.Fatalf("read-only resend: %d", resp.StatusCode)
	}
	if _, body := h.do(reader, "GET", "/alerts/7", nil); strings.Contains(body, `id="resend"`) || !strings.Contains(body, "read-only") {
		t.Fatal("read-only page offers resend or hides its role")
	}
	// A CSRF token of one session does not pass in another.
	if resp, _ := h.do(reader, "POST", "/logout", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another session's CSRF: %d", resp.StatusCode)
	}
	if got := h.data.done(); len(got) != 0 {
		t.Fatalf("refused requests acted: %v", got)
	}

	for _, a := range []struct {
		path string
		form url.Values
		to   string
	}{
		{"/alerts/7/resend", url.Values{}, "/alerts/7?done="},
		{"/sources/crawl", url.Values{"source": {"fb:群組"}}, "/sources?done="},
		{"/poison/requeue", url.Values{"topic": {"posts.raw.poison"}, "id": {"1-0", "2-0"}}, "/poison?done="},
		{"/poison/drop", url.Values{"topic": {"posts.raw.poison"}, "id": {"3-0"}}, "/poison?done="},
		{"/silences", url.Values{"rule": {"camera"}, "key": {"s"}, "duration": {"2h"}, "reason": {"demo"}}, "/silences?done="},
		{"/silences/clear", url.Values{"rule": {"camera"}}, "/silences?done="},
	} {
		a.form.Set("csrf", token)
		resp, body := h.do(admin, "POST", a.path, a.form)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), a.to) {
			t.Errorf("%s: %d %q\n%s", a.path, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	want := []string{"resend 7", "crawl fb:群組", "requeue posts.raw.poison [1-0 2-0]", "drop posts.raw.poison [3-0]", `silence camera "s" demo`, `clear camera ""`}
	if got := h.data.done(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("actions:\n got %q\nwant %q", got, want)
	}
	if n := strings.Count(h.logs.String(), `msg="console action"`); n != len(want) || !strings.Contains(h.logs.String(), `action=resend by="admin token"`) {
		t.Fatalf("%d actions logged, want %d with who:\n%s", n, len(want), h.logs)
	}
	if _, body := h.do(admin, "GET", "/silences?done=crawl&arg=fb:%E7%BE%A4@2026", nil); !strings.Contains(body, `id="flash">Crawl queued: fb:群@2026<`) {
		t.Error("the flash of crawl now is missing")
	}
	for _, forged := range []string{"/silences?done=Call+555-0100", "/silences?done=crawl&arg=%3Cb%3Ecall+us%3C/b%3E", "/silences?done=crawl&arg=" + strings.Repeat("x", 200)} {
		if _, body := h.do(admin, "GET", forged, nil); strings.Contains(body, `id="flash"`) {
			t.Errorf("%s: a forged flash is shown", forged)
		}
	}
	for _, bad := range []url.Values{{"rule": {"camera"}, "duration": {"forever"}}, {"rule": {"nope"}, "duration": {"1h"}}, {"rule": {"camera"}, "duration": {"9000h"}}} {
		bad.Set("csrf", token)
		if resp, _ := h.do(admin, "POST", "/silences", bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("silence %v: %d, want 400", bad, resp.StatusCode)
		}
	}
}

func TestBodiesAreBounded(t *testing.T) {
	h := newHarness(t)
	admin := h.login(adminToken)
	form := url.Values{"csrf": {h.csrf(admin)}, "reason": {strings.Repeat("x", 100<<10)}, "rule": {"camera"}, "duration": {"1h"}}
	if resp, _ := h.do(admin, "POST", "/silences", form); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("100 KiB form: %d, want 400", resp.StatusCode)
	}
	if got := h.data.done(); len(got) != 0 {
		t.Fatalf("acted on a refused body: %v", got)
	}
}

func TestLanguageFromAcceptLanguageAndTheSwitch(t *testing.T) {
	h := newHarness(t)
	c := h.login(adminToken)
	for accept, want := range map[string]string{"zh-TW,zh;q=0.9": "總覽", "zh-HK": "總覽", "zh-CN": "总览", "zh": "总览", "fr, en;q=0.5": "Overview", "": "Overview"} {
		_, body := h.do(c, "GET", "/", nil, "Accept-Language", accept)
		if !strings.Contains(body, "<h1>"+want+"</h1>") {
			t.Errorf("Accept-Language %q: want %s", accept, want)
		}
	}
	if _, body := h.do(c, "GET", "/sources", nil, "Accept-Language", "zh-TW"); !strings.Contains(body, "帳號 acct 遇到登入牆") {
		t.Error("the advice on a source is not translated")
	}
	resp, _ := h.do(c, "GET", "/lang/zh-Hans?next=/alerts", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alerts" {
		t.Fatalf("switch: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := h.do(c, "GET", "/alerts", nil, "Accept-Language", "zh-TW"); !strings.Contains(body, "<h1>警报</h1>") || !strings.Contains(body, `lang="zh-Hans"`) {
		t.Fatal("the switch does not outrank Accept-Language")
	}
	if resp, _ := h.do(c, "GET", "/lang/zh-Hans?next=//evil.example", nil); resp.Header.Get("Location") != "/" {
		t.Fatalf("switch redirects off site: %q", resp.Header.Get("Location"))
	}
}

// Every phrase a template asks for has both Chinese translations.
func TestEveryPhraseTranslated(t *testing.T) {
	phrase := regexp.MustCompile(`\(?t "([^"]+)"`)
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		b, _ := templateFS.ReadFile("templates/" + e.Name())
		for _, m := range phrase.FindAllStringSubmatch(string(b), -1) {
			seen++
			tr, ok := messages[m[1]]
			if !ok || tr[0] == "" || tr[1] == "" {
				t.Errorf("%s: %q has no translation", e.Name(), m[1])
			}
		}
	}
	if seen < 50 {
		t.Fatalf("found only %d phrases: the pattern is wrong", seen)
	}
}

func TestLoginIsThrottled(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	for i := 0; i < 10; i++ {
		h.do(c, "POST", "/login", url.Values{"token": {"guess"}})
	}
	if resp, _ := h.do(c, "POST", "/login", url.Values{"token": {adminToken}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("11th attempt in a minute: %d, want 429", resp.StatusCode)
	}
	// Another address is not locked out; the first one is again after the period.
	th := &throttle{limit: 2, per: time.Minute}
	th.allow("a", t0)
	th.fail("a")
	th.fail("a")
	if th.allow("a", t0) || !th.allow("b", t0) || !th.allow("a", t0.Add(time.Minute)) {
		t.Fatal("the throttle is not per address and per period")
	}
}
