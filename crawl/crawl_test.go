package crawl

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when something sleeps on it, and remembers each sleep.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return true
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCookies(t *testing.T) {
	netscape := writeFile(t, "cookies.txt", "# Netscape HTTP Cookie File\n"+
		".facebook.com\tTRUE\t/\tTRUE\t1999999999\tc_user\t100001\n"+
		"#HttpOnly_.facebook.com\tTRUE\t/\tTRUE\t0\txs\tSECRETXS\n\n")
	cs, err := LoadCookies(netscape)
	if err != nil || len(cs) != 2 || cs[1].Name != "xs" || !cs[1].HttpOnly || cs[0].Expires.IsZero() {
		t.Fatalf("netscape: %+v %v", cs, err)
	}
	if err := RequireCookies(cs, "c_user", "xs"); err != nil {
		t.Fatal(err)
	}

	jsonFile := writeFile(t, "cookies.json", `[{"name":"c_user","value":"100001","domain":".facebook.com","path":"/","secure":true,"expirationDate":1999999999.5}]`)
	cs, err = LoadCookies(jsonFile)
	if err != nil || len(cs) != 1 || cs[0].Value != "100001" {
		t.Fatalf("json: %+v %v", cs, err)
	}
	err = RequireCookies(cs, "c_user", "xs")
	if err == nil || !strings.Contains(err.Error(), "xs missing") || strings.Contains(err.Error(), "100001") {
		t.Fatalf("missing xs: %v", err)
	}

	bad := writeFile(t, "bad.txt", ".facebook.com\tTRUE\t/\txs\tSECRETXS\n")
	_, err = LoadCookies(bad)
	if err == nil || !strings.Contains(err.Error(), "line 1") || strings.Contains(err.Error(), "SECRETXS") {
		t.Fatalf("bad line: want line number and no value, got %v", err)
	}
}

func TestLimiterSpacesRequestsPerKey(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := &Limiter{Interval: 10 * time.Second, Jitter: 0.5, Clock: clock, Rand: func() float64 { return 0.5 }}
	ctx := context.Background()
	start := clock.Now()

	l.Wait(ctx, "source:a", "account:x") // first: no wait
	l.Wait(ctx, "source:a", "account:x") // 10 s × 1.25
	if got := clock.Now().Sub(start); got != 12500*time.Millisecond {
		t.Fatalf("second request after %s, want 12.5s", got)
	}
	// Another source on the same account waits for the account's slot.
	l.Wait(ctx, "source:b", "account:x")
	if got := clock.Now().Sub(start); got != 25*time.Second {
		t.Fatalf("same account: after %s, want 25s", got)
	}
	// Another account is not held back.
	before := clock.Now()
	l.Wait(ctx, "source:c", "account:y")
	if clock.Now() != before {
		t.Fatal("an unrelated source waited")
	}
}

func TestFetchSendsHeadersAndCookiesAndRetries5xx(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		switch r.URL.Path {
		case "/flaky":
			if n == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			c, err := r.Cookie("xs")
			if err != nil || c.Value != "SECRETXS" || r.Header.Get("User-Agent") != "gw-test" || r.Header.Get("Accept-Language") != "zh-HK,en" {
				http.Error(w, "missing cookie or header", http.StatusBadRequest)
				return
			}
			w.Header().Set("Date", "Tue, 08 Jun 2021 22:52:51 GMT")
			w.Write([]byte("<html>ok</html>"))
		case "/group":
			http.Redirect(w, r, "/login/?next=x", http.StatusFound)
		case "/login/":
			w.Write([]byte("<title>Log in</title>"))
		case "/gone":
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	f, err := NewFetcher([]*http.Cookie{{Name: "xs", Value: "SECRETXS", Domain: strings.Split(host, ":")[0], Path: "/"}})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Now()}
	f.Clock, f.UserAgent, f.AcceptLanguage, f.Backoff = clock, "gw-test", "zh-HK,en", time.Second

	page, err := f.Fetch(context.Background(), srv.URL+"/flaky")
	if err != nil {
		t.Fatal(err)
	}
	if page.Status != 200 || string(page.Body) != "<html>ok</html>" || calls != 2 {
		t.Fatalf("page %d %q after %d calls", page.Status, page.Body, calls)
	}
	if len(clock.sleeps) != 1 || clock.sleeps[0] != time.Second {
		t.Fatalf("backoff sleeps %v, want [1s]", clock.sleeps)
	}
	if !page.Fetched.Equal(time.Date(2021, 6, 8, 22, 52, 51, 0, time.UTC)) {
		t.Fatalf("fetched %s, want the response's Date", page.Fetched)
	}

	page, err = f.Fetch(context.Background(), srv.URL+"/group")
	if err != nil || !page.Redirected || !strings.Contains(page.URL, "/login/") {
		t.Fatalf("redirect to login: %+v %v", page, err)
	}
	page, err = f.Fetch(context.Background(), srv.URL+"/gone")
	if err != nil || page.Status != 404 {
		t.Fatalf("404 must come back as a page: %+v %v", page, err)
	}
}

func TestFetchGivesUpWithBackoff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	f, _ := NewFetcher(nil)
	clock := &fakeClock{now: time.Now()}
	f.Clock, f.Backoff, f.MaxAttempts = clock, time.Second, 4
	_, err := f.Fetch(context.Background(), srv.URL+"/feed?token=hunter2")
	if !errors.Is(err, ErrGaveUp) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("want ErrGaveUp without the query, got %v", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	if len(clock.sleeps) != len(want) {
		t.Fatalf("sleeps %v, want %v", clock.sleeps, want)
	}
	for i := range want {
		if clock.sleeps[i] != want[i] {
			t.Fatalf("sleeps %v, want %v", clock.sleeps, want)
		}
	}
}

func TestFetchFileURL(t *testing.T) {
	p := writeFile(t, "page.html", "<html>saved</html>")
	when := time.Date(2021, 6, 8, 22, 52, 51, 0, time.UTC)
	os.Chtimes(p, when, when)
	f, _ := NewFetcher(nil)
	page, err := f.Fetch(context.Background(), "file://"+p)
	if err != nil || string(page.Body) != "<html>saved</html>" || !page.Fetched.Equal(when) {
		t.Fatalf("file page: %+v %v", page, err)
	}
	if _, err := f.Fetch(context.Background(), "ftp://example.com/x"); err == nil {
		t.Fatal("ftp must be refused")
	}
}
