package crawl

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/sources"
)

// fakeParser serves pages by body: the test server answers each path with the path itself.
type fakeParser map[string]sources.Page

func (p fakeParser) Parse(r sources.Response) (sources.Page, error) {
	page, ok := p[string(r.Body)]
	if !ok {
		return sources.Page{Verdict: sources.VerdictUnexpected, Body: string(r.Body)}, nil
	}
	return page, nil
}

type fakeState struct {
	seen     map[string]bool
	source   SourceState
	progress Progress
	held     bool
	paused   map[string]time.Time
	states   map[string]string
	saved    []Progress
	leases   []time.Duration // of each SaveProgress
	finished *Result
}

func (s *fakeState) StartRun(_ context.Context, _ Job, _ time.Duration) (Progress, Claim, error) {
	if s.held {
		return s.progress, ClaimHeld, nil
	}
	return s.progress, ClaimOK, nil
}
func (s *fakeState) SaveProgress(_ context.Context, _ string, p Progress, lease time.Duration) error {
	s.saved = append(s.saved, p)
	s.leases = append(s.leases, lease)
	return nil
}
func (s *fakeState) FinishRun(_ context.Context, _ string, r Result) error {
	s.finished = &r
	return nil
}
func (s *fakeState) Source(context.Context, string) (SourceState, error) { return s.source, nil }
func (s *fakeState) PauseAccount(_ context.Context, account string, until time.Time) error {
	if s.paused == nil {
		s.paused = map[string]time.Time{}
	}
	s.paused[account] = until
	return nil
}
func (s *fakeState) SetSourceState(_ context.Context, name, state string) error {
	if s.states == nil {
		s.states = map[string]string{}
	}
	s.states[name] = state
	return nil
}
func (s *fakeState) RecordCrawl(context.Context, string, string, *time.Time) error { return nil }
func (s *fakeState) Seen(_ context.Context, _ string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = s.seen[id]
	}
	return out, nil
}

func post(id string, hoursAgo int) sources.Post {
	return sources.Post{ExternalID: id, Text: "post " + id, PostedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).Add(-time.Duration(hoursAgo) * time.Hour)}
}

type harness struct {
	runner    *Runner
	state     *fakeState
	published []handlers.RawPost
	health    []HealthEvent
	url       string
}

func newHarness(t *testing.T, pages func(base string) fakeParser) *harness {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.URL.Path))
	}))
	t.Cleanup(srv.Close)
	f, _ := NewFetcher(nil)
	h := &harness{state: &fakeState{seen: map[string]bool{}}, url: srv.URL}
	h.runner = &Runner{
		Source:  config.Source{Name: "g", URL: srv.URL + "/p1", Account: "acct", StopAfterSeen: 2, MaxPages: 5, Cooldown: 6 * time.Hour},
		Fetcher: f,
		Parser:  pages(srv.URL),
		State:   h.state,
		Publish: func(_ context.Context, ps []handlers.RawPost) error {
			h.published = append(h.published, ps...)
			return nil
		},
		Health: func(_ context.Context, e HealthEvent) error { h.health = append(h.health, e); return nil },
		Clock:  &fakeClock{now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)},
	}
	return h
}

func twoPages(base string) fakeParser {
	return fakeParser{
		"/p1": {Verdict: sources.VerdictOK, Posts: []sources.Post{post("pinned", 9000), post("5", 1), post("4", 2), post("3", 3)}, Next: base + "/p2"},
		"/p2": {Verdict: sources.VerdictOK, Posts: []sources.Post{post("2", 4), post("1", 5)}},
	}
}

func ids(ps []handlers.RawPost) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ExternalID)
	}
	return strings.Join(out, ",")
}

func TestRunPublishesEveryNewPostAcrossPages(t *testing.T) {
	h := newHarness(t, twoPages)
	res, err := h.runner.Run(context.Background(), Job{ID: "g@1", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	if ids(h.published) != "pinned,5,4,3,2,1" || res.Pages != 2 || res.New != 6 || res.Verdict != "ok" {
		t.Fatalf("published %s, result %+v", ids(h.published), res)
	}
	if h.published[1].Source != "g" || h.published[1].PostedAt == nil || len(h.published[1].Raw) == 0 {
		t.Fatalf("raw post: %+v", h.published[1])
	}
	if len(h.state.saved) != 2 || h.state.saved[0].Cursor != h.url+"/p2" || h.state.saved[1].Cursor != "" || h.state.finished == nil {
		t.Fatalf("progress %+v finished %+v", h.state.saved, h.state.finished)
	}
}

func TestRunStopsAfterSeenPostsIgnoringThePinnedOne(t *testing.T) {
	h := newHarness(t, twoPages)
	for _, id := range []string{"pinned", "4", "3", "2", "1"} {
		h.state.seen[id] = true
	}
	res, err := h.runner.Run(context.Background(), Job{ID: "g@2", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	// pinned: seen but not counted; 5 new; 4 and 3 seen: two in a row, stop before page 2.
	if ids(h.published) != "5" || res.Pages != 1 || res.Seen != 3 {
		t.Fatalf("published %s, result %+v", ids(h.published), res)
	}
}

func TestRunResumesAnInterruptedRun(t *testing.T) {
	h := newHarness(t, twoPages)
	h.state.progress = Progress{Cursor: h.url + "/p2", Pages: 1, New: 4}
	res, err := h.runner.Run(context.Background(), Job{ID: "g@3", Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	if ids(h.published) != "2,1" || res.Pages != 2 || res.New != 6 {
		t.Fatalf("published %s, result %+v", ids(h.published), res)
	}
}

// An attempt that fails part way (here the publish of page 2) gives up its lease at the
// position it stored last, so its retry resumes there at once rather than in runLease.
func TestRunFailingPartWayGivesUpItsLease(t *testing.T) {
	h := newHarness(t, twoPages)
	publish := h.runner.Publish
	h.runner.Publish = func(ctx context.Context, ps []handlers.RawPost) error {
		if ps[0].ExternalID == "2" {
			return errors.New("redis: connection refused")
		}
		return publish(ctx, ps)
	}
	if _, err := h.runner.Run(context.Background(), Job{ID: "g@5", Source: "g"}); err == nil {
		t.Fatal("the publish failed, yet the run reports no error")
	}
	n := len(h.state.saved)
	if n != 2 || h.state.leases[0] != runLease || h.state.leases[1] != 0 || h.state.saved[1] != h.state.saved[0] ||
		h.state.saved[1].Cursor != h.url+"/p2" || h.state.finished != nil {
		t.Fatalf("saved %+v with leases %v; finished %+v", h.state.saved, h.state.leases, h.state.finished)
	}
}

func TestRunHeldElsewhere(t *testing.T) {
	h := newHarness(t, twoPages)
	h.state.held = true
	if _, err := h.runner.Run(context.Background(), Job{ID: "g@4"}); !errors.Is(err, ErrRunHeldElsewhere) {
		t.Fatalf("want ErrRunHeldElsewhere, got %v", err)
	}
}

func TestRunBadVerdicts(t *testing.T) {
	tests := []struct {
		verdict     sources.Verdict
		state       string
		pausedUntil bool
	}{
		{sources.VerdictBlocked, StatePaused, true},
		{sources.VerdictCheckpoint, StatePaused, true},
		{sources.VerdictLoginWall, StateNeedsCookies, false},
		{sources.VerdictNotFound, StateOK, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.verdict), func(t *testing.T) {
			h := newHarness(t, func(string) fakeParser {
				return fakeParser{"/p1": {Verdict: tt.verdict}}
			})
			res, err := h.runner.Run(context.Background(), Job{ID: "g@5"})
			if err != nil || res.Verdict != string(tt.verdict) || len(h.published) != 0 {
				t.Fatalf("result %+v, %v", res, err)
			}
			if len(h.health) != 1 || h.health[0].State != tt.state || h.health[0].Verdict != string(tt.verdict) {
				t.Fatalf("health %+v", h.health)
			}
			until, paused := h.state.paused["acct"]
			if paused != tt.pausedUntil || (paused && until != time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)) {
				t.Fatalf("account paused %v until %s", paused, until)
			}
			if tt.state == StateNeedsCookies && h.state.states["g"] != StateNeedsCookies {
				t.Fatalf("states %v", h.state.states)
			}
		})
	}
}

func TestRunSkipsAPausedSourceUnlessForced(t *testing.T) {
	h := newHarness(t, twoPages)
	h.state.source = SourceState{State: StatePaused, PausedUntil: time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)}
	res, err := h.runner.Run(context.Background(), Job{ID: "g@6"})
	if err != nil || res.Verdict != "skipped" || len(h.published) != 0 || !strings.Contains(res.Err, "paused until") {
		t.Fatalf("result %+v, %v", res, err)
	}
	h.runner.Force = true
	if res, err = h.runner.Run(context.Background(), Job{ID: "g@7"}); err != nil || res.Verdict != "ok" || h.state.states["g"] != StateOK {
		t.Fatalf("forced: %+v %v, states %v", res, err, h.state.states)
	}
}

func TestRunPageCapAndDryRun(t *testing.T) {
	h := newHarness(t, twoPages)
	h.runner.Source.MaxPages = 1
	h.runner.DryRun = true
	res, err := h.runner.Run(context.Background(), Job{ID: "g@8"})
	if err != nil || res.Pages != 1 || res.New != 4 || len(res.Posts) != 4 {
		t.Fatalf("result %+v %v", res, err)
	}
	if len(h.published) != 0 || h.state.finished != nil || len(h.state.saved) != 0 {
		t.Fatal("a dry run wrote something")
	}
}
