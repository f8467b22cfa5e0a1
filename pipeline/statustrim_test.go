package pipeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// TestStatusSaysWhatTrimmingWouldRemove: of ten entries past max_age, a group that read five
// and left the third pending lets trimming remove only the two before it, and status says so
// and names the group.
func TestStatusSaysWhatTrimmingWouldRemove(t *testing.T) {
	env := testenv.New(t)
	cfg := testConfig(t, env, t.TempDir())
	rdb := env.Redis(t)
	ctx := context.Background()
	topic := pipeline.NewTopics(cfg.Topics.Prefix).Raw()
	old := time.Now().Add(-8 * 24 * time.Hour).UnixMilli()
	for i := 1; i <= 10; i++ {
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, ID: fmt.Sprintf("%d-%d", old, i), Values: []any{"i", i}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.XGroupCreate(ctx, topic, "normalize", "0").Err(); err != nil {
		t.Fatal(err)
	}
	res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "normalize", Consumer: "c", Streams: []string{topic, ">"}, Count: 5}).Result()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range res[0].Messages {
		if i != 2 {
			rdb.XAck(ctx, topic, "normalize", m.ID)
		}
	}
	rep, err := pipeline.StatusOf(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range rep.Topics {
		if ts.Topic != topic {
			continue
		}
		r := ts.Retention
		if r == nil || r.MaxAge != 7*24*time.Hour || r.Removable != 2 || r.HeldBy != "normalize" || r.HeldFor != "pending" {
			t.Fatalf("retention of %s: %+v", topic, r)
		}
		// A group that has read nothing holds every entry.
		if err := rdb.XGroupCreate(ctx, topic, "match", "0").Err(); err != nil {
			t.Fatal(err)
		}
		if r := retentionOf(t, cfg, topic); r.Removable != 0 || r.HeldBy != "match" || r.HeldFor != "unread" {
			t.Fatalf("with a group at the start: %+v", r)
		}
		return
	}
	t.Fatalf("no status of %s", topic)
}

func retentionOf(t *testing.T, cfg *config.Config, topic string) *pipeline.TopicRetention {
	t.Helper()
	rep, err := pipeline.StatusOf(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range rep.Topics {
		if ts.Topic == topic && ts.Retention != nil {
			return ts.Retention
		}
	}
	t.Fatalf("no retention of %s in %+v", topic, rep.Unreachable)
	return nil
}
