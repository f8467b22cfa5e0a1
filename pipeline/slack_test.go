package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"groupwatch/clock"
	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
)

// Slack answers 429 with Retry-After: 1, then 500, then 200: exactly one message arrives,
// and the delivery shows three attempts. The same posts ingested again send nothing more.
func TestSlackDeliverySurvives429And500(t *testing.T) {
	var mu sync.Mutex
	var calls, delivered int
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		switch calls {
		case 1:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "rate_limited", http.StatusTooManyRequests)
		case 2:
			http.Error(w, "oops", http.StatusInternalServerError)
		default:
			delivered++
			fmt.Fprint(w, "ok")
		}
	}))
	defer slack.Close()

	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	t.Setenv("TEST_SLACK_WEBHOOK", slack.URL+"/services/T000/B000/XXXX")
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline: {consumers: {normalize: 2, match: 1, evaluate: 1, notify: 1}, delivery_retry_base: 1s}
rules:
  - {name: acme, query: 'acme refund', sinks: [team]}
sinks:
  - {name: team, type: slack, webhook_url: '${TEST_SLACK_WEBHOOK}'}
`, env.Prefix)))
	if err != nil {
		t.Fatal(err)
	}
	// The wall clock here: the Slack sink keeps Retry-After's pause on it, and the test is
	// about the answers, not the time (about 3 s of waiting with a 1 s retry base).
	for round := 0; round < 2; round++ {
		runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"})
	}
	mu.Lock()
	defer mu.Unlock()
	if delivered != 1 || calls != 3 {
		t.Fatalf("%d messages delivered in %d calls, want 1 in 3", delivered, calls)
	}
	q := queries.New(env.DB(t))
	ds, err := q.ListDeliveriesOfAlert(context.Background(), 1)
	if err != nil || len(ds) != 1 || ds[0].Status != "sent" || ds[0].Attempts != 3 {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
}

// Slack answering 500 for a minute: the delivery waits in MySQL (not in the stream) and goes
// out once Slack is back, once. The minute passes on a fake clock (the store's, the retry
// schedule's and the retrier's), moved a second at a time whenever the retrier waits.
func TestSlackDownForAMinute(t *testing.T) {
	clk := clock.NewFake(time.Now())
	up := clk.Now().Add(time.Minute)
	var mu sync.Mutex
	var calls []time.Time // when Slack was called, on the fake clock
	delivered := 0
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		defer mu.Unlock()
		now := clk.Now()
		calls = append(calls, now)
		if now.Before(up) {
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		}
		delivered++
		fmt.Fprint(w, "ok")
	}))
	defer slack.Close()
	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	t.Setenv("TEST_SLACK_WEBHOOK", slack.URL+"/services/T000/B000/XXXX")
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline: {consumers: {normalize: 2, match: 1, evaluate: 1, notify: 1}, delivery_retry_base: 2s}
rules:
  - {name: acme, query: 'acme refund', sinks: [team]}
sinks:
  - {name: team, type: slack, webhook_url: '${TEST_SLACK_WEBHOOK}'}
`, env.Prefix)))
	if err != nil {
		t.Fatal(err)
	}

	stop := moveWhileRetrierWaits(clk, func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) > 0 })
	runUntilDrainedWithin(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl", Clock: clk}, time.Minute)
	stop()

	mu.Lock()
	defer mu.Unlock()
	if delivered != 1 || len(calls) < 4 {
		t.Fatalf("%d messages delivered in %d calls, want 1 after several failures", delivered, len(calls))
	}
	outage := calls[len(calls)-1].Sub(calls[0])
	if outage < time.Minute {
		t.Fatalf("delivered %s after the first failed attempt, within the minute Slack was down", outage)
	}
	q := queries.New(env.DB(t))
	ds, err := q.ListDeliveriesOfAlert(context.Background(), 1)
	if err != nil || len(ds) != 1 || ds[0].Status != "sent" || int(ds[0].Attempts) != len(calls) {
		t.Fatalf("deliveries %+v %v, want one sent after %d attempts", ds, err, len(calls))
	}
	t.Logf("one message delivered after %d attempts, %s (fake clock) after the first failed", len(calls), outage.Round(time.Second))
}

// moveWhileRetrierWaits moves clk a second each time the retrier waits on it, once started
// says the first attempt was made, until the returned stop is called (which waits for it).
func moveWhileRetrierWaits(clk *clock.Fake, started func() bool) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil && !started() {
			clock.Sleep(ctx, 10*time.Millisecond)
		}
		for clk.WaitForSleepers(ctx, 1) {
			clk.Advance(time.Second)
		}
	}()
	return func() { cancel(); <-done }
}
