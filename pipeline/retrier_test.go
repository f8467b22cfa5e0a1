package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"groupwatch/clock"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
)

// A sink that fails (its folder is missing) makes the delivery wait in the deliveries table,
// not in the stream; the retrier sends it once the folder exists, and --drain waits for that.
// The retry schedule runs on a fake clock, moved a second each time the retrier waits once
// both first attempts have failed and the folder is made.
func TestFailedDeliveryIsRetriedDurablyAndDrainWaitsForIt(t *testing.T) {
	env := testenv.New(t)
	dir := filepath.Join(t.TempDir(), "not-yet")
	cfg := testConfig(t, env, dir)
	q := queries.New(env.DB(t))
	clk := clock.NewFake(time.Now())
	ctx, stop := context.WithCancel(context.Background())
	moved := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			if n, err := q.CountDeliveries(ctx, "failed"); err == nil && n == 2 {
				break
			}
			clock.Sleep(ctx, 10*time.Millisecond)
		}
		if ctx.Err() != nil {
			moved <- nil
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			moved <- err
			return
		}
		for clk.WaitForSleepers(ctx, 1) {
			clk.Advance(time.Second)
		}
		moved <- nil
	}()
	runUntilDrainedWithin(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl", Clock: clk}, time.Minute)
	stop()
	if err := <-moved; err != nil {
		t.Fatal(err)
	}
	if n := len(readAlerts(t, filepath.Join(dir, "alerts.jsonl"))); n != 2 {
		t.Fatalf("%d alerts written, want 2", n)
	}
	if n, _ := q.CountDeliveries(context.Background(), "sent"); n != 2 {
		t.Fatalf("%d deliveries sent, want 2", n)
	}
	for id := int64(1); id <= 2; id++ {
		ds, err := q.ListDeliveriesOfAlert(context.Background(), id)
		if err != nil || len(ds) != 1 || ds[0].Attempts < 2 {
			t.Fatalf("alert %d: deliveries %+v %v, want one sent by a retry (2 attempts or more)", id, ds, err)
		}
	}
}
