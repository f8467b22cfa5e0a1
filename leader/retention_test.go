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

// TestRetentionNeverTrimsUnreadOrPending: on the stand-in and on real Redis, with every entry
// past max_age, trimming keeps a group's pending entry and every entry after a group's
// last-delivered id; once the entry is acked and the groups have read on, the rest goes.
func TestRetentionNeverTrimsUnreadOrPending(t *testing.T) {
	for name, open := range testenv.Databases() { // "standin": miniredis; "mysql": the real servers
		t.Run(name, func(t *testing.T) {
			env := open(t)
			rdb := env.Redis(t)
			ctx := context.Background()
			topic := env.Topic("posts.raw")
			old := time.Now().Add(-48 * time.Hour).UnixMilli()
			id := func(i int) string { return fmt.Sprintf("%d-%d", old, i) }
			for i := 1; i <= 3000; i++ {
				if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, ID: id(i), Values: []any{"i", i}}).Err(); err != nil {
					t.Fatal(err)
				}
			}
			// Group a has read 1000 entries and acked all but the 10th; b has read 2000.
			read := func(group string, n int64, keep string) {
				if err := rdb.XGroupCreate(ctx, topic, group, "0").Err(); err != nil {
					t.Fatal(err)
				}
				res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: "c", Streams: []string{topic, ">"}, Count: n}).Result()
				if err != nil {
					t.Fatal(err)
				}
				var ack []string
				for _, m := range res[0].Messages {
					if m.ID != keep {
						ack = append(ack, m.ID)
					}
				}
				if err := rdb.XAck(ctx, topic, group, ack...).Err(); err != nil {
					t.Fatal(err)
				}
			}
			read("a", 1000, id(10))
			read("b", 2000, "")

			trim := func() {
				r := NewRetention(&config.Config{Topics: config.Topics{MaxAge: 24 * time.Hour}}, rdb, []string{topic}, slog.New(slog.NewTextHandler(io.Discard, nil)))
				r.Step(ctx)
			}
			kept := func(from int) int64 {
				n, err := rdb.XRange(ctx, topic, id(from), "+").Result()
				if err != nil {
					t.Fatal(err)
				}
				return int64(len(n))
			}
			trim()
			if got := kept(10); got != 3000-9 {
				t.Fatalf("%d entries from a's pending one on, want all %d", got, 3000-9)
			}
			tp, err := SafeTrimPoint(ctx, rdb, topic, time.Now().Add(-24*time.Hour))
			if err != nil || tp.MinID != id(10) || tp.HeldBy != "a" || tp.HeldFor != "pending" {
				t.Fatalf("trim point %+v (%v), want held at a's pending entry", tp, err)
			}

			if err := rdb.XAck(ctx, topic, "a", id(10)).Err(); err != nil {
				t.Fatal(err)
			}
			trim()
			if got := kept(1000); got != 2001 {
				t.Fatalf("%d entries from a's last delivered on, want 2001", got)
			}
			n, err := rdb.XLen(ctx, topic).Result()
			if err != nil || n >= 3000 {
				t.Fatalf("length %d (%v): nothing trimmed below every group", n, err)
			}
		})
	}
}
