package pipeline

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"groupwatch/internal/testenv"
)

// A process restarted under its --instance name takes back its last run's pending entries at
// once; another instance's are left to the claim after the idle time.
func TestRecoverOwnPending(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	ctx := context.Background()
	topic := env.Topic("posts.raw")
	rdb.XGroupCreateMkStream(ctx, topic, "normalize", "0")
	for i := 0; i < 3; i++ {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, Values: map[string]any{"n": i}})
	}
	read := func(consumer string, n int64) {
		if err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "normalize", Consumer: consumer, Streams: []string{topic, ">"}, Count: n}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	read("pod-1.normalize.0", 2)
	read("pod-2.normalize.0", 1)
	moved, err := recoverOwnPending(ctx, rdb, []Subscription{{Stage: "normalize", Topic: topic}}, "pod-1")
	if err != nil || moved != 2 {
		t.Fatalf("moved %d (%v), want 2", moved, err)
	}
	if p, _ := rdb.XPending(ctx, topic, "normalize").Result(); p.Count != 1 {
		t.Fatalf("%d pending, want only pod-2's 1", p.Count)
	}
	if n, _ := rdb.XLen(ctx, topic).Result(); n != 5 {
		t.Fatalf("stream holds %d, want 3 + 2 handed back", n)
	}
}
