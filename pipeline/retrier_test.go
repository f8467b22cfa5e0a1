package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
)

// A sink that fails (its folder is missing) makes the delivery wait in the deliveries table,
// not in the stream; the retrier sends it once the folder exists, and --drain waits for that.
func TestFailedDeliveryIsRetriedDurablyAndDrainWaitsForIt(t *testing.T) {
	env := testenv.New(t)
	dir := filepath.Join(t.TempDir(), "not-yet")
	cfg := testConfig(t, env, dir)
	go func() {
		time.Sleep(time.Second)
		os.MkdirAll(dir, 0o755)
	}()
	start := time.Now()
	runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"})
	if took := time.Since(start); took < 3*time.Second {
		t.Fatalf("drained after %s: before the retry could have sent anything", took)
	}
	if n := len(readAlerts(t, filepath.Join(dir, "alerts.jsonl"))); n != 2 {
		t.Fatalf("%d alerts written, want 2", n)
	}
	q := queries.New(env.DB(t))
	if n, _ := q.CountDeliveries(context.Background(), "sent"); n != 2 {
		t.Fatalf("%d deliveries sent, want 2", n)
	}
}
