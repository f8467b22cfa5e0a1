package pipeline

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/internal/testenv"
)

// An entry handed out more than max times is moved to the poison topic and acked instead of
// being claimed again.
func TestOverDeliveredEntryIsPoisoned(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	ctx := context.Background()
	topic := env.Topic("posts.raw")
	if err := rdb.XGroupCreateMkStream(ctx, topic, "normalize", "0").Err(); err != nil {
		t.Fatal(err)
	}
	id, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, Values: map[string]any{"killer": "post"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "normalize", Consumer: "a", Streams: []string{topic, ">"}, Count: 1}).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // three more consumers took it and died
		if err := rdb.XClaim(ctx, &redis.XClaimArgs{Stream: topic, Group: "normalize", Consumer: "b", Messages: []string{id}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: topic, Group: "normalize", Start: "-", End: "+", Count: 10}).Result()
	if err != nil || len(pending) != 1 || pending[0].RetryCount != 4 {
		t.Fatalf("pending %+v %v", pending, err)
	}
	time.Sleep(60 * time.Millisecond) // idle longer than the claim's condition
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	filter := poisonOverDelivered(rdb, topic, "normalize", "p1.normalize.0", 50*time.Millisecond, 3, quiet)
	other := poisonOverDelivered(rdb, topic, "normalize", "p1.normalize.1", 50*time.Millisecond, 3, quiet)
	if filter(pending[0]) {
		t.Fatal("an entry delivered 4 times (limit 3) was claimed again")
	}
	// Every consumer of the group saw the same pending entry: the others neither claim nor
	// poison it again.
	if other(pending[0]) {
		t.Fatal("a second consumer claimed the poisoned entry")
	}
	if n, _ := rdb.XLen(ctx, Poison(topic)).Result(); n != 1 {
		t.Fatalf("poison topic holds %d entries, want 1", n)
	}
	if p, _ := rdb.XPending(ctx, topic, "normalize").Result(); p.Count != 0 {
		t.Fatalf("%d still pending", p.Count)
	}
	pending[0].RetryCount = 2
	if !filter(pending[0]) {
		t.Fatal("an entry under the limit must be claimed")
	}
}
