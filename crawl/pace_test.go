package crawl

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/sources"
)

// Under GiveBackAfter, a slot further off (the Redis limiter: pace_redis_test.go) than the wait is refused and not booked; within
// it, the caller waits as before.
func TestPacersGiveBackInsteadOfWaiting(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	pacers := map[string]Pacer{
		"limiter": &Limiter{Clock: clock, Rand: func() float64 { return 0 }},
	}
	for name, p := range pacers {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			key := "account:" + name
			if err := p.WaitFor(ctx, 10*time.Second, key); err != nil {
				t.Fatal(err)
			}
			err := p.WaitFor(GiveBackAfter(ctx, 2*time.Second), 10*time.Second, key)
			var paced *PacedError
			if !errors.As(err, &paced) || !errors.Is(err, ErrPaced) || paced.Wait <= 2*time.Second || paced.Wait > 10*time.Second {
				t.Fatalf("want a PacedError of up to 10 s, got %v", err)
			}
			// Nothing was booked: the next caller waits for the first slot, not a second one.
			clock.sleeps = nil
			if err := p.WaitFor(GiveBackAfter(ctx, time.Minute), 10*time.Second, key); err != nil {
				t.Fatal(err)
			}
			if len(clock.sleeps) != 1 || clock.sleeps[0] > 10*time.Second {
				t.Fatalf("slept %v, want one wait of at most 10 s", clock.sleeps)
			}
		})
	}
}

// leaseState is fakeState that remembers the lease of the last saved progress.
type leaseState struct {
	fakeState
	lease time.Duration
}

func (s *leaseState) SaveProgress(ctx context.Context, id string, p Progress, lease time.Duration) error {
	s.lease = lease
	return s.fakeState.SaveProgress(ctx, id, p, lease)
}

// A run whose next page must wait for the pace stops with ErrPaced, having saved where it
// resumes under no lease, so that the job, put off and run again, takes over at once.
func TestRunGivesBackItsConsumerWhenPaced(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.URL.Path))
	}))
	defer srv.Close()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f, err := NewFetcher(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Clock = clock
	f.Limiter, f.Interval, f.Keys = &Limiter{Clock: clock, Rand: func() float64 { return 0 }}, 30*time.Second, []string{"source:s"}
	state := &leaseState{fakeState: fakeState{seen: map[string]bool{}}}
	parser := fakeParser{"/": {Verdict: sources.VerdictOK, Posts: []sources.Post{post("1", 1)}, Next: srv.URL + "/2"}}
	r := &Runner{
		Source:  config.Source{Name: "s", URL: srv.URL + "/", StopAfterSeen: 5, MaxPages: 5},
		Fetcher: f, Parser: parser, State: state, Clock: clock,
	}
	res, err := r.Run(GiveBackAfter(context.Background(), 2*time.Second), Job{ID: "s@1", Source: "s"})
	if !errors.Is(err, ErrPaced) {
		t.Fatalf("want ErrPaced after the first page, got %v (%+v)", err, res)
	}
	if len(state.saved) == 0 {
		t.Fatalf("nothing saved: pages %d", res.Pages)
	}
	last := state.saved[len(state.saved)-1]
	if res.Pages != 1 || last.Cursor != srv.URL+"/2" || last.Pages != 1 || state.lease != 0 || state.finished != nil {
		t.Fatalf("pages %d, saved %+v under lease %s, finished %v", res.Pages, last, state.lease, state.finished)
	}
}
