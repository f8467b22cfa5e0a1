package leader

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/internal/testenv"
)

// Entries older than topics.max_age go; newer ones stay.
func TestRetentionTrimsOldEntries(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	ctx := context.Background()
	topic := env.Topic("posts.raw")
	now := time.Now()
	// A thousand old entries, so approximate trimming (whole nodes) has something to drop.
	for i := range 1000 {
		id := fmt.Sprintf("%d-%d", now.Add(-48*time.Hour).UnixMilli(), i+1)
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, ID: id, Values: []any{"k", "v"}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, ID: fmt.Sprintf("%d-0", now.UnixMilli()), Values: []any{"k", "new"}}).Err(); err != nil {
		t.Fatal(err)
	}
	r := NewRetention(&config.Config{Topics: config.Topics{MaxAge: 24 * time.Hour}}, rdb, []string{topic}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.now = func() time.Time { return now }
	r.Step(ctx)
	n, err := rdb.XLen(ctx, topic).Result()
	if err != nil {
		t.Fatal(err)
	}
	if n >= 1001 || n < 1 {
		t.Fatalf("%d entries left of 1001, want the old ones trimmed and the new one kept", n)
	}
	last, err := rdb.XRevRangeN(ctx, topic, "+", "-", 1).Result()
	if err != nil || len(last) != 1 || last[0].Values["k"] != "new" {
		t.Fatalf("newest entry %v (%v), want the new one kept", last, err)
	}
}
