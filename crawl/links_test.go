package crawl

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"groupwatch/sources"
)

func TestCheckLink(t *testing.T) {
	tests := []struct {
		source, link string
		ok           bool
	}{
		{"https://forum.example/list", "https://forum.example/list?page=2", true},
		{"https://forum.example/list", "https://FORUM.example:443/t/1", true},
		{"http://forum.example/list", "https://forum.example/list?page=2", true}, // upgrade to https
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b", true},
		{"https://forum.example/list", "http://forum.example/list?page=2", false}, // drops https
		{"https://forum.example/list", "https://evil.example/list", false},
		{"https://forum.example/list", "https://forum.example.evil.example/", false},
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:8081/b", false}, // another port
		{"http://127.0.0.1:8080/a", "http://localhost:8080/b", false},
		{"http://127.0.0.1/a", "file:///home/gw/cookies/main.txt", false},
		{"http://127.0.0.1/a", "ftp://127.0.0.1/a", false},
		{"http://127.0.0.1/a", "javascript:alert(1)", false},
		{"http://127.0.0.1/a", "://nope", false},
		{"file:///srv/pages/forum.html", "file:///srv/pages/forum-2.html", true},
		{"file:///srv/pages/forum.html", "file:///srv/pages/old/forum-3.html", true},
		{"file:///srv/pages/forum.html", "file:///srv/pages/../cookies/main.txt", false},
		{"file:///srv/pages/forum.html", "file:///srv/cookies/main.txt", false},
		{"file:///srv/pages/forum.html", "file:///srv/pages-evil/x.html", false},
		{"file:///srv/pages/forum.html", "https://forum.example/", false},
		{"file://pages/forum.html", "file://pages/forum-2.html", true}, // relative saved page
		{"file://pages/forum.html", "file:///etc/passwd", false},
		{"https://m.facebook.com/groups/1/", "https://www.facebook.com/groups/1/", true}, // one site
		{"https://www.facebook.com/groups/1/", "https://web.facebook.com/groups/1/posts/2/", true},
		{"https://www.facebook.com/groups/1/", "https://www.facebook.com.evil.example/", false},
		{"https://www.facebook.com/groups/1/", "https://notfacebook.com/", false},
		{"https://www.facebook.com/groups/1/", "https://www.facebook.com:8443/", false},
	}
	for _, tt := range tests {
		err := CheckLink(tt.source, tt.link)
		if (err == nil) != tt.ok {
			t.Errorf("CheckLink(%q, %q) = %v, want ok %v", tt.source, tt.link, err, tt.ok)
		}
	}
	if err := CheckLink("https://a.example/", "https://b.example/x?token=SECRET"); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("the error must name the link without its query: %v", err)
	}
}

// hits counts the requests a server got.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestRunRefusesLinksOffTheSource: a page of an http source that points the crawler at a
// local file, another host or another port, directly or by a redirect, gets no request
// there; the run ends refused, and its record names the link but holds nothing it read.
func TestRunRefusesLinksOffTheSource(t *testing.T) {
	dir := t.TempDir()
	cookieFile := filepath.Join(dir, "main.txt")
	if err := os.WriteFile(cookieFile, []byte(".facebook.com\tTRUE\t/\tTRUE\t0\tc_user\t100012345\n.facebook.com\tTRUE\t/\tTRUE\t0\txs\tSECRETXS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other, otherHits := countingServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("/elsewhere")) })
	tests := []struct {
		name string
		next func(base string) string // the first page's next link
	}{
		{"next link to a local file", func(string) string { return "file://" + cookieFile }},
		{"next link to another port on the same host", func(string) string { return other.URL + "/elsewhere" }},
		{"next link to another host name", func(string) string { return strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/elsewhere" }},
		{"redirect to another host", func(base string) string { return base + "/redirect" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			otherHits.Store(0)
			h := newHarness(t, func(base string) fakeParser {
				return fakeParser{
					"/p1":        {Verdict: sources.VerdictOK, Posts: []sources.Post{post("1", 1)}, Next: tt.next(base)},
					"/elsewhere": {Verdict: sources.VerdictOK, Posts: []sources.Post{post("stolen", 2)}},
				}
			})
			// The harness's server answers with the path; /redirect sends the client away.
			src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/redirect" {
					http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
					return
				}
				w.Write([]byte(r.URL.Path))
			}))
			defer src.Close()
			h.runner.Source.URL = src.URL + "/p1"
			h.runner.Parser = fakeParser{
				"/p1":        {Verdict: sources.VerdictOK, Posts: []sources.Post{post("1", 1)}, Next: tt.next(src.URL)},
				"/elsewhere": {Verdict: sources.VerdictOK, Posts: []sources.Post{post("stolen", 2)}},
			}
			res, err := h.runner.Run(context.Background(), Job{ID: "g@1", Source: "g"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != VerdictRefused || !strings.Contains(res.Err, "link refused") {
				t.Fatalf("result %+v, want verdict refused with the link named", res)
			}
			if otherHits.Load() != 0 {
				t.Fatalf("the other server got %d requests", otherHits.Load())
			}
			if ids(h.published) != "1" || res.Pages != 1 {
				t.Fatalf("published %s over %d pages, want only the source's page", ids(h.published), res.Pages)
			}
			stored := StoredError(*h.state.finished)
			if strings.Contains(stored, "100012345") || strings.Contains(stored, "SECRETXS") {
				t.Fatalf("the run's record holds the cookie file: %q", stored)
			}
		})
	}
}

// TestRunFollowsASavedPagesOwnDirectory: a file:// source reads the next saved page beside
// it, and refuses one outside its directory.
func TestRunFollowsASavedPagesOwnDirectory(t *testing.T) {
	root := t.TempDir()
	pages := filepath.Join(root, "pages")
	if err := os.Mkdir(pages, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"pages/p1.html": "p1", "pages/p2.html": "p2", "secret.txt": "secret"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, func(string) fakeParser { return nil })
	h.runner.Source.URL = "file://" + filepath.Join(pages, "p1.html")
	h.runner.Parser = fakeParser{
		"p1":     {Verdict: sources.VerdictOK, Posts: []sources.Post{post("1", 1)}, Next: "file://" + filepath.Join(pages, "p2.html")},
		"p2":     {Verdict: sources.VerdictOK, Posts: []sources.Post{post("2", 2)}, Next: "file://" + pages + "/../secret.txt"},
		"secret": {Verdict: sources.VerdictOK, Posts: []sources.Post{post("secret", 3)}},
	}
	res, err := h.runner.Run(context.Background(), Job{ID: "g@1", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	if ids(h.published) != "1,2" || res.Verdict != VerdictRefused {
		t.Fatalf("published %s, result %+v", ids(h.published), res)
	}
}

func TestRunDropsPermalinksThatAreNotWebLinks(t *testing.T) {
	h := newHarness(t, func(base string) fakeParser {
		local, web, js := post("local", 1), post("web", 2), post("js", 3)
		local.URL, web.URL, js.URL = "file:///etc/passwd", "https://news.example/story/1", "javascript:alert(1)"
		return fakeParser{"/p1": {Verdict: sources.VerdictOK, Posts: []sources.Post{local, web, js}}}
	})
	res, err := h.runner.Run(context.Background(), Job{ID: "g@1", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range h.published {
		got[p.ExternalID] = p.URL
	}
	if got["local"] != "" || got["js"] != "" || got["web"] != "https://news.example/story/1" || !strings.Contains(res.Err, "dropped 2 permalinks") {
		t.Fatalf("urls %v, result %+v", got, res)
	}
}

func TestStoredErrorIsBoundedAndHoldsNoSecrets(t *testing.T) {
	secrets := []string{"100012345", "SECRETXS", "AQHRtok3nvalue", "sessval", "Bearer-abc", "dtsgvalue", "hunter2"}
	body := strings.Join([]string{
		".facebook.com\tTRUE\t/\tTRUE\t1893456000\tc_user\t100012345",
		"#HttpOnly_.facebook.com\tTRUE\t/\tTRUE\t1893456000\txs\tSECRETXS",
		`[{"domain":".facebook.com","name":"fr","value":"AQHRtok3nvalue"}]`,
		"Cookie: session=sessval; other=1",
		"Authorization: Bearer Bearer-abc",
		`<input type="hidden" name="fb_dtsg" value="dtsgvalue">`,
		"https://x.example/login?password=hunter2&next=/",
		strings.Repeat("A", 100),
		strings.Repeat("<p>page</p>", 5000),
	}, "\n")
	got := StoredError(Result{Err: "unexpected page at https://x.example/?access_token=hunter2", Body: body})
	for _, s := range secrets {
		if strings.Contains(got, s) {
			t.Errorf("stored error holds %q:\n%s", s, got[:min(len(got), 600)])
		}
	}
	if strings.Contains(got, strings.Repeat("A", 48)) {
		t.Error("a long opaque string is kept")
	}
	if len(got) > maxStoredErr+maxStoredBody+100 || !strings.Contains(got, "[…cut]") {
		t.Errorf("stored error is %d bytes, not bounded and marked", len(got))
	}
	if !strings.Contains(got, "<p>page</p>") || !strings.Contains(got, "unexpected page") {
		t.Error("the markup and the error itself must stay readable")
	}
	if got := StoredError(Result{Note: "cut at 8 MiB; cursor token=hunter2"}); got != "note: cut at 8 MiB; cursor token=[redacted]" {
		t.Errorf("the note is kept, scrubbed: %q", got)
	}
	if StoredError(Result{Err: "x", Body: "\xff"}) != "x\n--- start of the page ---\n\uFFFD" {
		t.Error("invalid UTF-8 must be replaced")
	}
}
