package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

func TestPoisonQueueDropsAndRefusesWhatItCannotRequeue(t *testing.T) {
	env := testenv.New(t)
	rdb, err := pipeline.OpenRedis(context.Background(), env.RedisURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	ctx := context.Background()
	cfg := &config.Config{Topics: config.Topics{Prefix: env.Prefix}}
	q := pipeline.NewPoisonQueue(cfg, rdb)
	raw := pipeline.NewTopics(env.Prefix).Raw()
	poison := pipeline.Poison(raw)

	// An entry something else wrote (no watermill fields), poisoned as foreign: shown,
	// not requeued (it would only be poisoned again), dropped.
	foreign, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: poison, Values: map[string]any{"hello": "world"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	list, err := q.List(ctx, 10)
	if err != nil || len(list) != 1 || list[0].PoisonTopic != poison || list[0].Origin != raw || len(list[0].Entries) != 1 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if e, err := q.Show(ctx, poison, foreign); err != nil || e.Foreign == "" || !strings.Contains(e.Payload, "world") {
		t.Fatalf("show: %+v %v", e, err)
	}
	if n, err := q.Requeue(ctx, poison, []string{foreign}); n != 0 || err == nil || !strings.Contains(err.Error(), "can only be dropped") {
		t.Fatalf("requeue of a foreign entry: %d %v", n, err)
	}
	if n, _ := rdb.XLen(ctx, raw).Result(); n != 0 {
		t.Fatalf("a refused requeue wrote %d entries to %s", n, raw)
	}
	for _, bad := range []struct{ topic, id string }{{raw, foreign}, {"other.poison", foreign}, {poison, "0-1; DEL x"}, {poison, "1-1"}} {
		if _, err := q.Show(ctx, bad.topic, bad.id); !errors.Is(err, pipeline.ErrNoEntry) {
			t.Errorf("show %s %s: %v", bad.topic, bad.id, err)
		}
	}
	if n, err := q.Drop(ctx, poison, []string{foreign, "1-1"}); err != nil || n != 1 {
		t.Fatalf("drop: %d %v", n, err)
	}
	if list, err := q.List(ctx, 10); err != nil || len(list) != 0 {
		t.Fatalf("after drop: %+v %v", list, err)
	}
}

// With partitions, each partition's poison stream is listed, and an entry goes back to the
// partition it came from.
func TestPoisonQueueRequeuesToItsPartition(t *testing.T) {
	env := testenv.New(t)
	rdb, err := pipeline.OpenRedis(context.Background(), env.RedisURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	ctx := context.Background()
	cfg := &config.Config{Topics: config.Topics{Prefix: env.Prefix, Partitions: 2}}
	topics := pipeline.TopicsOf(cfg)
	q := pipeline.NewPoisonQueue(cfg, rdb)
	if len(q.Topics) != 12 {
		t.Fatalf("streams: %v", q.Topics)
	}
	stream := topics.Stream(topics.Raw(), 1)
	msg, err := pipeline.NewRawPostMessage(handlers.RawPost{V: handlers.Version, Source: "s", ExternalID: "1", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	msg.Metadata.Set(middleware.ReasonForPoisonedKey, "a bug fixed since")
	msg.Metadata.Set(middleware.PoisonedTopicKey, stream)
	values, err := redisstream.DefaultMarshallerUnmarshaller{}.Marshal(pipeline.Poison(stream), msg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: pipeline.Poison(stream), Values: values}).Result()
	if err != nil {
		t.Fatal(err)
	}
	list, err := q.List(ctx, 10)
	if err != nil || len(list) != 1 || list[0].Origin != stream || list[0].Entries[0].Reason != "a bug fixed since" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if n, err := q.Requeue(ctx, pipeline.Poison(stream), []string{id}); err != nil || n != 1 {
		t.Fatalf("requeue: %d %v", n, err)
	}
	back, err := rdb.XRange(ctx, stream, "-", "+").Result()
	if err != nil || len(back) != 1 {
		t.Fatalf("partition 1 after requeue: %v %v", back, err)
	}
	got, err := redisstream.DefaultMarshallerUnmarshaller{}.Unmarshal(back[0].Values)
	if err != nil || got.UUID != msg.UUID || string(got.Payload) != string(msg.Payload) || got.Metadata.Get(middleware.ReasonForPoisonedKey) != "" {
		t.Fatalf("requeued message: %+v %v", got, err)
	}
	if n, _ := rdb.XLen(ctx, pipeline.Poison(stream)).Result(); n != 0 {
		t.Fatalf("%d entries left in the poison stream", n)
	}
}
