package crawl

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/sources"
)

// cometServer plays www.facebook.com for the HTTP walk: the group page answers "first", a
// GraphQL POST answers "after:CURSOR" once its form is right. What the pages hold is the
// fake parser's business (cometPages).
type cometServer struct {
	*httptest.Server
	mu    sync.Mutex
	posts []string // the cursors asked for, in order
	gets  int
	fail  string // a form problem seen, if any
	// status, if set, answers every POST with it.
	status int
	// cuts counts, per cursor, the answers still to be cut short ("cut:" + cursor).
	cuts map[string]int
}

func newCometServer(t *testing.T) *cometServer {
	s := &cometServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, err := r.Cookie("c_user"); (err != nil || c.Value != "100001") && r.URL.Path != "/login/" {
			http.Redirect(w, r, "/login/", http.StatusFound)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/login/":
			w.Write([]byte("login"))
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/groups/1/"):
			s.gets++
			w.Write([]byte("first"))
		case r.Method == http.MethodPost && r.URL.Path == "/api/graphql/":
			if s.status != 0 {
				w.WriteHeader(s.status)
				return
			}
			var vars map[string]any
			err := json.Unmarshal([]byte(r.FormValue("variables")), &vars)
			switch {
			case err != nil:
				s.fail = "variables: " + err.Error()
			case r.FormValue("doc_id") != "D1" || r.FormValue("fb_dtsg") != "DTSG-SECRET" || r.FormValue("lsd") != "LSD-SECRET":
				s.fail = "doc_id or tokens: " + r.Form.Encode()
			case r.FormValue("av") != "100001" || r.FormValue("__a") != "1" || r.FormValue("fb_api_req_friendly_name") != "GroupsCometFeedRegularStoriesPaginationQuery":
				s.fail = "av, __a or friendly name: " + r.Form.Encode()
			case vars["id"] != "1" || vars["sortingSetting"] != "CHRONOLOGICAL":
				s.fail = "variables lost: " + r.FormValue("variables")
			case r.Header.Get("X-FB-LSD") != "LSD-SECRET" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
				s.fail = "headers"
			}
			cursor, _ := vars["cursor"].(string)
			s.posts = append(s.posts, cursor)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if s.cuts[cursor] > 0 {
				s.cuts[cursor]--
				w.Write([]byte("cut:" + cursor))
				return
			}
			w.Write([]byte("after:" + cursor))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

var pagination = &sources.GraphQLQuery{
	FriendlyName: "GroupsCometFeedRegularStoriesPaginationQuery", DocID: "D1",
	Variables: map[string]any{"id": "1", "sortingSetting": "CHRONOLOGICAL", "count": 3},
	Tokens:    map[string]string{"fb_dtsg": "DTSG-SECRET", "lsd": "LSD-SECRET"},
}

// cometPages: three pages of a Comet feed, the first with a pinned post and the query.
func cometPages(query *sources.GraphQLQuery) fakeParser {
	pinned := post("pinned", 9000)
	pinned.Pinned = true
	return fakeParser{
		"first":    {Verdict: sources.VerdictOK, Markup: sources.MarkupComet, Posts: []sources.Post{pinned, post("9", 1), post("8", 2), post("7", 3)}, NextCursor: "c1", NextQuery: query},
		"after:c1": {Verdict: sources.VerdictOK, Markup: sources.MarkupGraphQL, Posts: []sources.Post{post("6", 4), post("5", 5), post("4", 6)}, NextCursor: "c2"},
		"after:c2": {Verdict: sources.VerdictOK, Markup: sources.MarkupGraphQL, Posts: []sources.Post{post("3", 7), post("2", 8), post("1", 9)}},
		"after:c9": {Verdict: sources.VerdictBlocked, Markup: sources.MarkupGraphQL},
		"login":    {Verdict: sources.VerdictLoginWall},
	}
}

func newCometHarness(t *testing.T, srv *cometServer, parser fakeParser, cookie string) *harness {
	t.Helper()
	host := strings.Split(strings.TrimPrefix(srv.URL, "http://"), ":")[0]
	f, err := NewFetcher([]*http.Cookie{{Name: "c_user", Value: cookie, Domain: host, Path: "/"}})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	f.Clock, f.Backoff, f.MaxAttempts = clock, time.Second, 2
	h := &harness{state: &fakeState{seen: map[string]bool{}}, url: srv.URL}
	h.runner = &Runner{
		Source: config.Source{Name: "g", Kind: config.SourceFacebookGroup, URL: srv.URL + "/groups/1/?sorting_setting=CHRONOLOGICAL",
			Account: "acct", StopAfterSeen: 2, MaxPages: 5, Cooldown: 6 * time.Hour},
		Pages:  &HTTPPages{Fetcher: f},
		Parser: parser,
		State:  h.state,
		Publish: func(_ context.Context, ps []handlers.RawPost) error {
			h.published = append(h.published, ps...)
			return nil
		},
		Health: func(_ context.Context, e HealthEvent) error { h.health = append(h.health, e); return nil },
		Clock:  clock,
	}
	return h
}

func TestHTTPWalkReplaysTheDeclaredQuery(t *testing.T) {
	srv := newCometServer(t)
	h := newCometHarness(t, srv, cometPages(pagination), "100001")
	res, err := h.runner.Run(context.Background(), Job{ID: "g@1", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	if srv.fail != "" {
		t.Fatalf("the POST was wrong: %s", srv.fail)
	}
	if ids(h.published) != "pinned,9,8,7,6,5,4,3,2,1" || res.Pages != 3 || res.Verdict != "ok" || res.Err != "" {
		t.Fatalf("published %s, result %+v", ids(h.published), res)
	}
	if strings.Join(srv.posts, ",") != "c1,c2" {
		t.Fatalf("cursors posted %v", srv.posts)
	}
	// Only cursors are stored: never a token.
	var saved []string
	for _, p := range h.state.saved {
		saved = append(saved, p.Cursor)
	}
	if strings.Join(saved, " ") != "graphql-cursor:c1 graphql-cursor:c2 " {
		t.Fatalf("saved positions %q", saved)
	}
}

func TestHTTPWalkStopsAtSeenPostsNotCountingThePinnedOne(t *testing.T) {
	srv := newCometServer(t)
	h := newCometHarness(t, srv, cometPages(pagination), "100001")
	// The pinned post is seen and stands where the feed's newest post is: it must neither
	// count nor stop the run. 9 is new; 8 and 7 seen make two in a row.
	for _, id := range []string{"pinned", "8", "7", "6", "5"} {
		h.state.seen[id] = true
	}
	res, err := h.runner.Run(context.Background(), Job{ID: "g@2", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	if ids(h.published) != "9" || res.Pages != 1 || len(srv.posts) != 0 {
		t.Fatalf("published %s, result %+v, cursors %v", ids(h.published), res, srv.posts)
	}
}

func TestPinnedPostNeverCountsTowardStopAfterSeen(t *testing.T) {
	// A pinned post the parser marks, anywhere on the page and newer than the next post
	// (so the old heuristic cannot tell), still does not count.
	r := &Runner{Source: config.Source{Name: "g", StopAfterSeen: 2}, State: &fakeState{seen: map[string]bool{"p": true, "a": true}}}
	p := post("p", 0)
	p.Pinned = true
	consecutive := 0
	_, _, stop, err := r.sortPage(context.Background(), []sources.Post{post("a", 1), p, post("b", 2)}, false, &consecutive, map[string]bool{})
	if err != nil || stop || consecutive != 0 {
		t.Fatalf("stop %v after %d in a row (%v): the pinned post counted", stop, consecutive, err)
	}
}

func TestHTTPWalkWithoutAUsableQueryStopsAfterTheFirstPage(t *testing.T) {
	tests := []struct {
		name  string
		query *sources.GraphQLQuery
	}{
		{"none declared", nil},
		{"no doc_id", &sources.GraphQLQuery{FriendlyName: "Q", Tokens: map[string]string{"fb_dtsg": "x"}}},
		{"no token", &sources.GraphQLQuery{FriendlyName: "Q", DocID: "D1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCometServer(t)
			h := newCometHarness(t, srv, cometPages(tt.query), "100001")
			res, err := h.runner.Run(context.Background(), Job{ID: "g@3", Source: "g"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != "ok" || res.Pages != 1 || res.New != 4 || !strings.Contains(res.Note, "no usable pagination query") || len(srv.posts) != 0 {
				t.Fatalf("result %+v, cursors posted %v", res, srv.posts)
			}
			if h.state.finished == nil || !strings.Contains(h.state.finished.Note, "stopped after the first page") {
				t.Fatalf("the run's record does not say why it stopped: %+v", h.state.finished)
			}
		})
	}
}

func TestHTTPWalkResumesFromTheStoredCursor(t *testing.T) {
	srv := newCometServer(t)
	h := newCometHarness(t, srv, cometPages(pagination), "100001")
	h.state.progress = Progress{Cursor: "graphql-cursor:c2", Pages: 2, New: 7}
	res, err := h.runner.Run(context.Background(), Job{ID: "g@4", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	// The first page is fetched again for the query and its tokens, not read as a page.
	if srv.gets != 1 || strings.Join(srv.posts, ",") != "c2" || srv.fail != "" {
		t.Fatalf("requests: %d GETs, cursors %v, %s", srv.gets, srv.posts, srv.fail)
	}
	if ids(h.published) != "3,2,1" || res.Pages != 3 || res.New != 10 {
		t.Fatalf("published %s, result %+v", ids(h.published), res)
	}
}

func TestHTTPWalkWallsAndBlocks(t *testing.T) {
	t.Run("a GraphQL answer that blocks pauses the account", func(t *testing.T) {
		srv := newCometServer(t)
		h := newCometHarness(t, srv, cometPages(pagination), "100001")
		h.state.progress = Progress{Cursor: "graphql-cursor:c9", Pages: 1}
		res, err := h.runner.Run(context.Background(), Job{ID: "g@5", Source: "g"})
		if err != nil || res.Verdict != "blocked" {
			t.Fatalf("result %+v %v", res, err)
		}
		if _, paused := h.state.paused["acct"]; !paused || len(h.health) != 1 || h.health[0].State != StatePaused {
			t.Fatalf("paused %v, health %+v", h.state.paused, h.health)
		}
	})
	t.Run("cookies that no longer log in: the resumed run says login wall", func(t *testing.T) {
		srv := newCometServer(t)
		h := newCometHarness(t, srv, cometPages(pagination), "expired")
		h.state.progress = Progress{Cursor: "graphql-cursor:c2", Pages: 1}
		res, err := h.runner.Run(context.Background(), Job{ID: "g@6", Source: "g"})
		if err != nil || res.Verdict != "login_wall" || h.state.states["g"] != StateNeedsCookies || len(srv.posts) != 0 {
			t.Fatalf("result %+v %v, states %v, cursors %v", res, err, h.state.states, srv.posts)
		}
	})
	t.Run("a failing endpoint: the error names the request, not its tokens", func(t *testing.T) {
		srv := newCometServer(t)
		srv.status = http.StatusBadGateway
		h := newCometHarness(t, srv, cometPages(pagination), "100001")
		res, err := h.runner.Run(context.Background(), Job{ID: "g@7", Source: "g"})
		if err != nil || res.Verdict != "fetch_failed" || !strings.Contains(res.Err, "POST "+srv.URL+"/api/graphql/") {
			t.Fatalf("result %+v %v", res, err)
		}
		if strings.Contains(res.Err, "SECRET") || strings.Contains(res.Err, "100001") {
			t.Fatalf("a secret in the error: %s", res.Err)
		}
	})
}

func TestFirstPageURLAsksForChronologicalOrder(t *testing.T) {
	tests := []struct{ kind, in, want string }{
		{config.SourceFacebookGroup, "https://www.facebook.com/groups/123/", "https://www.facebook.com/groups/123/?sorting_setting=CHRONOLOGICAL"},
		{config.SourceFacebookGroup, "https://www.facebook.com/groups/123/?sorting_setting=RECENT_ACTIVITY", "https://www.facebook.com/groups/123/?sorting_setting=RECENT_ACTIVITY"},
		{config.SourceFacebookGroup, "https://m.facebook.com/groups/123", "https://m.facebook.com/groups/123"},
		{config.SourceFacebookGroup, "https://www.facebook.com/somepage", "https://www.facebook.com/somepage"},
		{config.SourceHTML, "https://www.facebook.com/groups/123/", "https://www.facebook.com/groups/123/"},
	}
	for _, tt := range tests {
		if got := FirstPageURL(config.Source{Kind: tt.kind, URL: tt.in}); got != tt.want {
			t.Errorf("%s %s: got %s, want %s", tt.kind, tt.in, got, tt.want)
		}
	}
}

// An answer cut short before its cursor is asked for once more, so the walk goes on down the
// feed; cut short twice, the walk stops there and the run says why.
func TestHTTPWalkAsksAgainForAnAnswerCutShort(t *testing.T) {
	tests := []struct {
		cuts      int
		published string
		posted    string
		note      bool
	}{
		{cuts: 1, published: "pinned,9,8,7,6,5,4,3,2,1", posted: "c1,c1,c2"},
		{cuts: 2, published: "pinned,9,8,7,6", posted: "c1,c1", note: true},
	}
	for _, tt := range tests {
		srv := newCometServer(t)
		srv.cuts = map[string]int{"c1": tt.cuts}
		pages := cometPages(pagination)
		// What a cut answer yields: the posts before the break, no cursor.
		pages["cut:c1"] = sources.Page{Verdict: sources.VerdictOK, Markup: sources.MarkupGraphQL, Posts: []sources.Post{post("6", 4)}, CutShort: true}
		h := newCometHarness(t, srv, pages, "100001")
		h.runner.Source.MaxPages = 10
		res, err := h.runner.Run(context.Background(), Job{ID: "g@1", Source: "g"})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(h.published); got != tt.published || strings.Join(srv.posts, ",") != tt.posted || res.Verdict != "ok" || res.Seen != 0 {
			t.Errorf("cut %d times: published %s, cursors posted %v, result %+v", tt.cuts, got, srv.posts, res)
		}
		if gotNote := strings.Contains(res.Note, "cut short twice"); gotNote != tt.note {
			t.Errorf("cut %d times: note %q", tt.cuts, res.Note)
		}
	}
}
