package crawl

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/sources"
)

// A local server plays m.facebook.com with the sources package's synthetic pages: a two-page
// group feed, then a block page. Every request must carry the account's cookies and our
// headers.
func TestCrawlFacebookGroupOverHTTP(t *testing.T) {
	page := func(name string) []byte {
		b, err := os.ReadFile("../sources/testdata/facebook/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var blocked atomic.Bool
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		c, err := r.Cookie("c_user")
		xs, err2 := r.Cookie("xs")
		if err != nil || err2 != nil || c.Value != "100001" || xs.Value != "SECRETXS" ||
			r.Header.Get("User-Agent") != "gw-ua" || r.Header.Get("Accept-Language") != "en-GB" {
			http.Error(w, "no cookies or headers", http.StatusBadRequest)
			return
		}
		w.Header().Set("Date", "Tue, 08 Jun 2021 22:52:51 GMT")
		switch {
		case blocked.Load():
			w.Write(page("blocked.html"))
		case r.URL.Query().Get("bac") != "":
			w.Write(page("group_feed_old.html"))
		default:
			w.Write(page("group_feed.html"))
		}
	}))
	defer srv.Close()
	host := strings.Split(strings.TrimPrefix(srv.URL, "http://"), ":")[0]
	f, err := NewFetcher([]*http.Cookie{
		{Name: "c_user", Value: "100001", Domain: "." + host, Path: "/"},
		{Name: "xs", Value: "SECRETXS", Domain: "." + host, Path: "/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2021, 6, 8, 23, 0, 0, 0, time.UTC)}
	f.UserAgent, f.AcceptLanguage, f.Clock = "gw-ua", "en-GB", clock
	f.Limiter, f.Interval, f.Keys = &Limiter{Jitter: 0.5, Clock: clock}, 20*time.Second, []string{"source:g", "account:a"}
	parser, err := sources.NewParser(sources.KindFacebookGroup, sources.ParserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	state := &fakeState{seen: map[string]bool{}}
	var published int
	r := &Runner{
		Source:  config.Source{Name: "g", URL: srv.URL + "/groups/8100000000000001/", Account: "a", StopAfterSeen: 5, MaxPages: 2, Cooldown: 6 * time.Hour},
		Fetcher: f, Parser: parser, State: state, Clock: clock,
		Publish: func(_ context.Context, ps []handlers.RawPost) error { published += len(ps); return nil },
	}
	res, err := r.Run(context.Background(), Job{ID: "g@1", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != "ok" || res.Pages != 2 || res.New == 0 || published != res.New {
		t.Fatalf("result %+v, published %d (%s)", res, published, res.Err)
	}
	// The limiter spaced the two pages by 20-30 s on the fake clock, not in real time.
	if len(clock.sleeps) != 1 || clock.sleeps[0] < 20*time.Second || clock.sleeps[0] > 30*time.Second {
		t.Fatalf("limiter sleeps %v", clock.sleeps)
	}

	blocked.Store(true)
	res, err = r.Run(context.Background(), Job{ID: "g@2", Source: "g"})
	if err != nil || res.Verdict != string(sources.VerdictBlocked) {
		t.Fatalf("blocked: %+v %v", res, err)
	}
	if until := state.paused["a"]; !until.Equal(clock.Now().Add(6 * time.Hour)) {
		t.Fatalf("account paused until %s", until)
	}
}
