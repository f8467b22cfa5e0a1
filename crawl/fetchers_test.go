package crawl

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"groupwatch/clock"
	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/fakefacebook"
	"groupwatch/sources"
)

// needChromium skips a browser test where no Chromium exists (a laptop), and fails it in
// CI, where .ci/run installs one.
func needChromium(t *testing.T) string {
	t.Helper()
	path, err := FindChromium("")
	fakefacebook.SkipWithoutChromium(t, err)
	return path
}

// sharedBrowser is one Chromium for the package's browser tests, as a process has one:
// started by the first test that needs it, closed by TestMain.
var sharedBrowser struct {
	once    sync.Once
	browser *Browser
	dir     string
}

func testBrowser(t *testing.T) *Browser {
	path := needChromium(t)
	sharedBrowser.once.Do(func() {
		dir, err := os.MkdirTemp("", "groupwatch-crawl-browser")
		if err != nil {
			t.Fatal(err)
		}
		sharedBrowser.dir = dir
		sharedBrowser.browser = &Browser{Path: path, ProfileDir: dir}
	})
	if sharedBrowser.browser == nil {
		t.Fatal("the shared browser could not be set up")
	}
	return sharedBrowser.browser
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedBrowser.browser != nil {
		sharedBrowser.browser.Close()
		os.RemoveAll(sharedBrowser.dir)
	}
	os.Exit(code)
}

// fetcher builds one kind of fetcher for a test against the fake Facebook.
type fetcher struct {
	name string
	make func(t *testing.T, cookies []*http.Cookie, clock clock.Clock) Pages
}

var fetchers = []fetcher{
	{"http", func(t *testing.T, cookies []*http.Cookie, clock clock.Clock) Pages {
		f, err := NewFetcher(cookies)
		if err != nil {
			t.Fatal(err)
		}
		f.Clock, f.MaxAttempts = clock, 3
		f.Limiter, f.Interval, f.Keys = &Limiter{Clock: clock}, 20*time.Second, []string{"source:g", "account:a"}
		return &HTTPPages{Fetcher: f}
	}},
	{"browser", func(t *testing.T, cookies []*http.Cookie, clock clock.Clock) Pages {
		b := testBrowser(t)
		// Pacing on a fake clock: the test does not wait 20 s per scroll, but the
		// limiter still books every page load and scroll.
		return &BrowserPages{Browser: b, Cookies: cookies, TimeLimit: 20 * time.Second, Clock: clock,
			Limiter: &Limiter{Clock: clock}, Interval: 20 * time.Second, Keys: []string{"source:g", "account:a"}}
	}},
}

func fakeCookies(userID string) []*http.Cookie {
	return []*http.Cookie{
		{Name: "c_user", Value: userID, Domain: "127.0.0.1", Path: "/"},
		{Name: "xs", Value: fakefacebook.XS, Domain: "127.0.0.1", Path: "/", HttpOnly: true},
	}
}

type fbHarness struct {
	srv       *fakefacebook.Server
	runner    *Runner
	state     *fakeState
	published []handlers.RawPost
	health    []HealthEvent
	clock     *fakeClock
}

func newFBHarness(t *testing.T, fx fetcher, group, userID string) *fbHarness {
	t.Helper()
	srv, err := fakefacebook.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	parser, err := sources.NewParser(sources.KindFacebookGroup, sources.ParserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h := &fbHarness{srv: srv, state: &fakeState{seen: map[string]bool{}}, clock: &fakeClock{now: time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC)}}
	h.runner = &Runner{
		Source: config.Source{Name: "g", Kind: config.SourceFacebookGroup, URL: srv.GroupURL(group), Account: "a",
			StopAfterSeen: 3, MaxPages: 5, Cooldown: 6 * time.Hour},
		Pages:  fx.make(t, fakeCookies(userID), h.clock),
		Parser: parser, State: h.state, Clock: h.clock,
		Publish: func(_ context.Context, ps []handlers.RawPost) error {
			h.published = append(h.published, ps...)
			return nil
		},
		Health: func(_ context.Context, e HealthEvent) error { h.health = append(h.health, e); return nil },
	}
	return h
}

func (h *fbHarness) run(t *testing.T, id string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := h.runner.Run(ctx, Job{ID: id, Source: "g"})
	if err != nil {
		t.Fatalf("run %s: %v", id, err)
	}
	return res
}

func storyIDs(stories []fakefacebook.Story) string {
	var out []string
	for _, s := range stories {
		out = append(out, s.ID)
	}
	return strings.Join(out, ",")
}

// Both fetchers read the whole feed of the fake group, every post once: the page's own
// stories, then the next pages through the GraphQL query the page declares (the HTTP
// fetcher replays it; the browser scrolls and the page's script sends it).
func TestFetchersReadTheWholeFeed(t *testing.T) {
	for _, fx := range fetchers {
		t.Run(fx.name, func(t *testing.T) {
			h := newFBHarness(t, fx, fakefacebook.GroupID, fakefacebook.UserID)
			res := h.run(t, "g@1")
			stories := h.srv.Stories()
			// The pinned post comes first (its unit is above the feed), then the feed.
			want := stories[len(stories)-1].ID + "," + storyIDs(stories[:len(stories)-1])
			if ids(h.published) != want || res.Pages != 3 || res.Verdict != "ok" || res.Err != "" {
				t.Fatalf("published %s\nwant      %s\nresult %+v", ids(h.published), want, res)
			}
			cursors, problem := h.srv.Cursors()
			if problem != "" || strings.Join(cursors, ",") != "AQHRfake3cursor,AQHRfake6cursor" {
				t.Fatalf("GraphQL POSTs %v, problem %q", cursors, problem)
			}
			if len(h.state.saved) != 3 || h.state.saved[0].Cursor != "graphql-cursor:AQHRfake3cursor" || h.state.saved[2].Cursor != "" {
				t.Fatalf("saved progress %+v", h.state.saved)
			}
			for _, p := range h.state.saved {
				if strings.Contains(p.Cursor, "SECRET") {
					t.Fatalf("a token in the stored progress: %+v", p)
				}
			}
			if h.published[0].PostedAt == nil || !strings.Contains(string(h.published[0].Raw), `"pinned":true`) {
				t.Fatalf("pinned post %+v", h.published[0])
			}
			if n := len(h.clock.sleeps); n < 2 {
				t.Fatalf("the pace was not kept: %d waits", n)
			}
		})
	}
}

// A second crawl stops at the posts it stored: the pinned post, seen and on top, does not
// count, so the new post and two seen ones end it on the first page.
func TestFetchersStopAtSeenPosts(t *testing.T) {
	for _, fx := range fetchers {
		t.Run(fx.name, func(t *testing.T) {
			h := newFBHarness(t, fx, fakefacebook.GroupID, fakefacebook.UserID)
			h.runner.Source.StopAfterSeen = 2
			for _, s := range h.srv.Stories() {
				h.state.seen[s.ID] = true
			}
			h.srv.AddStory(fakefacebook.Story{ID: "9100000000000099", Author: "New Member", Text: "hello 你好", Created: time.Date(2026, 11, 27, 12, 30, 0, 0, time.UTC)})
			res := h.run(t, "g@2")
			if ids(h.published) != "9100000000000099" || res.Pages != 1 || res.New != 1 {
				t.Fatalf("published %s, result %+v", ids(h.published), res)
			}
			if cursors, _ := h.srv.Cursors(); len(cursors) != 0 {
				t.Fatalf("fetched further pages %v", cursors)
			}
		})
	}
}

// A run killed after its first page resumes at the stored cursor: the first page is opened
// again for the query and tokens only, and the feed goes on from the cursor.
func TestFetchersResumeFromTheStoredCursor(t *testing.T) {
	for _, fx := range fetchers {
		t.Run(fx.name, func(t *testing.T) {
			h := newFBHarness(t, fx, fakefacebook.GroupID, fakefacebook.UserID)
			h.state.progress = Progress{Cursor: "graphql-cursor:AQHRfake3cursor", Pages: 1, New: 4}
			res := h.run(t, "g@3")
			stories := h.srv.Stories()
			if ids(h.published) != storyIDs(stories[3:8]) || res.Pages != 3 || res.New != 9 || res.Verdict != "ok" {
				t.Fatalf("published %s, result %+v", ids(h.published), res)
			}
			cursors, problem := h.srv.Cursors()
			if problem != "" || strings.Join(cursors, ",") != "AQHRfake3cursor,AQHRfake6cursor" {
				t.Fatalf("GraphQL POSTs %v, problem %q", cursors, problem)
			}
		})
	}
}

// A group page that answers 503 twice is loaded again after a doubling wait.
func TestFetchersBackOffOnServerErrors(t *testing.T) {
	for _, fx := range fetchers {
		t.Run(fx.name, func(t *testing.T) {
			h := newFBHarness(t, fx, fakefacebook.GroupID, fakefacebook.UserID)
			h.runner.Source.MaxPages = 1
			h.srv.FailNext(2)
			res := h.run(t, "g@9")
			if res.Verdict != "ok" || res.New != 4 {
				t.Fatalf("result %+v", res)
			}
			// The backoff's waits, 2 s then 4 s, each followed by the pace's rest of 20 s.
			if w := h.clock.sleeps; len(w) != 4 || w[0] != 2*time.Second || w[2] != 4*time.Second {
				t.Fatalf("waits %v", w)
			}
		})
	}
}

// Walls and blocks: each its verdict, pause and health event.
func TestFetchersWallsAndBlocks(t *testing.T) {
	tests := []struct {
		name, group, user string
		verdict           sources.Verdict
		state             string
		paused            bool
	}{
		{"no cookies: login wall", fakefacebook.GroupID, "someone-else", sources.VerdictLoginWall, StateNeedsCookies, false},
		{"temporarily blocked", fakefacebook.BlockedGroup, fakefacebook.UserID, sources.VerdictBlocked, StatePaused, true},
		{"checkpoint", fakefacebook.CheckpointGroup, fakefacebook.UserID, sources.VerdictCheckpoint, StatePaused, true},
		{"gone", fakefacebook.GoneGroup, fakefacebook.UserID, sources.VerdictNotFound, StateOK, false},
	}
	for _, fx := range fetchers {
		for _, tt := range tests {
			t.Run(fx.name+"/"+tt.name, func(t *testing.T) {
				h := newFBHarness(t, fx, tt.group, tt.user)
				res := h.run(t, "g@4")
				if res.Verdict != string(tt.verdict) || len(h.published) != 0 {
					t.Fatalf("result %+v", res)
				}
				if len(h.health) != 1 || h.health[0].Verdict != string(tt.verdict) || h.health[0].State != tt.state {
					t.Fatalf("health %+v", h.health)
				}
				if _, paused := h.state.paused["a"]; paused != tt.paused {
					t.Fatalf("account paused: %v", h.state.paused)
				}
			})
		}
	}
}

// A block that comes on a later page (a GraphQL errors answer) stops the run there.
func TestFetchersBlockedMidFeed(t *testing.T) {
	for _, fx := range fetchers {
		t.Run(fx.name, func(t *testing.T) {
			h := newFBHarness(t, fx, fakefacebook.GroupID, fakefacebook.UserID)
			h.state.progress = Progress{Cursor: "graphql-cursor:AQHRfake3cursor", Pages: 1}
			h.runner.Publish = func(_ context.Context, ps []handlers.RawPost) error {
				h.published = append(h.published, ps...)
				h.srv.SetBlocked(true)
				return nil
			}
			res := h.run(t, "g@5")
			if res.Verdict != string(sources.VerdictBlocked) || res.Pages != 3 || len(h.published) != 3 {
				t.Fatalf("result %+v, published %s", res, ids(h.published))
			}
			if _, paused := h.state.paused["a"]; !paused {
				t.Fatal("the account was not paused")
			}
		})
	}
}

// The browser gives up scrolling when its time limit runs out: the run keeps what it read
// and says why it stopped.
func TestBrowserTimeLimit(t *testing.T) {
	h := newFBHarness(t, fetchers[1], fakefacebook.SlowGroup, fakefacebook.UserID)
	h.runner.Pages.(*BrowserPages).TimeLimit = 4 * time.Second
	if _, closeTab, err := testBrowser(t).Tab("a"); err == nil {
		closeTab() // the browser runs before the clock starts
	}
	start := time.Now()
	res := h.run(t, "g@6")
	if res.Verdict != "ok" || res.Pages != 1 || res.New != 4 || !strings.Contains(res.Note, "time limit of 4s") {
		t.Fatalf("result %+v", res)
	}
	if took := time.Since(start); took > 12*time.Second {
		t.Fatalf("the time limit did not hold: %s", took)
	}
}

// One browser serves every crawl of an account; Close ends it and no later crawl starts one.
func TestBrowserIsReusedAndClosed(t *testing.T) {
	h := newFBHarness(t, fetchers[1], fakefacebook.GroupID, fakefacebook.UserID)
	b := &Browser{Path: needChromium(t), ProfileDir: t.TempDir()}
	h.runner.Pages.(*BrowserPages).Browser = b
	h.runner.Source.MaxPages = 1
	h.run(t, "g@7")
	h.run(t, "g@8")
	if b.Running() != 1 {
		t.Fatalf("%d browsers for one account", b.Running())
	}
	// The browser's command line names its profile and never a cookie.
	lines := chromiumCommandLines(t, b.ProfileDir)
	if len(lines) == 0 {
		t.Fatal("no Chromium process runs with the account's profile")
	}
	for _, line := range lines {
		if strings.Contains(line, fakefacebook.XS) || strings.Contains(line, fakefacebook.UserID) {
			t.Fatalf("a cookie on the browser's command line: %s", line)
		}
	}
	b.Close()
	if b.Running() != 0 {
		t.Fatal("a browser survived Close")
	}
	if _, _, err := b.Tab("a"); err == nil {
		t.Fatal("a closed Browser started Chromium again")
	}
}

func TestFindChromiumNamesThePackage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(EnvChromiumPath, "")
	_, err := FindChromium("")
	if err == nil || !strings.Contains(err.Error(), "Debian package chromium") {
		t.Fatalf("error %v", err)
	}
	_, err = FindChromium("/nowhere/chromium")
	if err == nil || !strings.Contains(err.Error(), "crawl.browser_path /nowhere/chromium") {
		t.Fatalf("error %v", err)
	}
}

// chromiumCommandLines returns the command lines of the processes that name dir (Linux).
func chromiumCommandLines(t *testing.T, dir string) []string {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil || len(procs) == 0 {
		t.Skip("no /proc to read command lines from")
	}
	var out []string
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), dir) {
			out = append(out, strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}
