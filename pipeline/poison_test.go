package pipeline_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/redis/go-redis/v9"

	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// Entries that can never be processed go to <topic>.poison with a reason, and the posts after
// them are processed: a foreign entry, a payload that is not JSON, an unknown version, a post
// without an id.
func TestUnprocessableEntriesArePoisonedAndTheStreamGoesOn(t *testing.T) {
	env := testenv.New(t)
	dir := t.TempDir()
	cfg := testConfig(t, env, dir)
	rdb := env.Redis(t)
	ctx := context.Background()
	raw := pipeline.NewTopics(cfg.Topics.Prefix).Raw()

	// Written by something that is not watermill.
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: raw, Values: map[string]any{"foo": "bar"}}).Err(); err != nil {
		t.Fatal(err)
	}
	// watermill messages whose payloads are wrong.
	pub, err := redisstream.NewPublisher(redisstream.PublisherConfig{Client: env.Redis(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := []*message.Message{
		message.NewMessage("not-json", []byte("{{{")),
		message.NewMessage("future", []byte(`{"v":99,"source":"s","external_id":"1","text":"acme refund"}`)),
		message.NewMessage("no-id", []byte(`{"v":1,"source":"s","text":"acme refund"}`)),
	}
	if err := pub.Publish(raw, bad...); err != nil {
		t.Fatal(err)
	}
	good, err := pipeline.NewRawPostMessage(handlers.RawPost{V: handlers.Version, Source: "forum:acme", ExternalID: "after", Text: "acme refund", ReceivedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish(raw, good); err != nil {
		t.Fatal(err)
	}

	if code := runUntilDrained(t, cfg, pipeline.RunOptions{}); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	entries, err := rdb.XRange(ctx, pipeline.Poison(raw), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	wantReasons := []string{
		"not a groupwatch message: _watermill_message_uuid key is missing",
		"malformed payload",
		"unknown payload version 99",
		"external_id: missing",
	}
	if len(entries) != len(wantReasons) {
		t.Fatalf("%d poisoned entries, want %d: %v", len(entries), len(wantReasons), entries)
	}
	unmarshal := redisstream.DefaultMarshallerUnmarshaller{}
	var reasons []string
	for _, e := range entries {
		msg, err := unmarshal.Unmarshal(e.Values)
		if err != nil {
			t.Fatalf("poisoned entry is not a watermill message: %v", err)
		}
		if msg.Metadata.Get(middleware.PoisonedTopicKey) != raw {
			t.Fatalf("poisoned topic %q", msg.Metadata.Get(middleware.PoisonedTopicKey))
		}
		reasons = append(reasons, msg.Metadata.Get(middleware.ReasonForPoisonedKey))
	}
	for _, want := range wantReasons {
		found := false
		for _, r := range reasons {
			found = found || strings.Contains(r, want)
		}
		if !found {
			t.Errorf("no poisoned entry says %q; reasons: %q", want, reasons)
		}
	}
	alerts := readAlerts(t, filepath.Join(dir, "alerts.jsonl"))
	if len(alerts) != 1 || alerts[0].ExternalID != "after" {
		t.Fatalf("the post after the bad entries must alert once, got %+v", alerts)
	}
}
