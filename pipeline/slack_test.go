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
pipeline: {consumers: {normalize: 2, match: 1, evaluate: 1, notify: 1}}
rules:
  - {name: acme, query: 'acme refund', sinks: [team]}
sinks:
  - {name: team, type: slack, webhook_url: '${TEST_SLACK_WEBHOOK}'}
`, env.Prefix)))
	if err != nil {
		t.Fatal(err)
	}
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
// out once Slack is back, once.
func TestSlackDownForAMinute(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a minute")
	}
	var mu sync.Mutex
	var calls, delivered int
	up := time.Now().Add(time.Minute)
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if time.Now().Before(up) {
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
	runUntilDrainedWithin(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"}, 3*time.Minute)
	mu.Lock()
	defer mu.Unlock()
	if delivered != 1 || calls < 4 {
		t.Fatalf("%d messages delivered in %d calls, want 1 after several failures", delivered, calls)
	}
	t.Logf("one message delivered after %d calls over a minute of 500s", calls)
}
