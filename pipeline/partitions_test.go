package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/streams"
)

func TestTopicsPartitionsAndKeys(t *testing.T) {
	one := Topics{prefix: "gw", partitions: 1}
	if got := one.Streams(one.Raw()); len(got) != 1 || got[0] != "gw.posts.raw" || one.Keys() != "gw." {
		t.Errorf("one partition: streams %v, keys %q: the layout before partitions must not change", got, one.Keys())
	}
	six := Topics{prefix: "gw", partitions: 6, cluster: true}
	streams := six.Streams(six.Alerts())
	if len(streams) != 6 || streams[3] != "gw.alerts.{gw.p3}" || Poison(streams[3]) != "gw.alerts.{gw.p3}.poison" {
		t.Errorf("six partitions: %v", streams)
	}
	for _, tt := range []struct {
		topics Topics
		keys   string
	}{
		{Topics{prefix: "gw", cluster: true}, "{gw}."},
		{Topics{prefix: "{gw}", cluster: true}, "{gw}."},
		{Topics{cluster: true}, "{groupwatch}."},
		{Topics{}, ""},
	} {
		if got := tt.topics.Keys(); got != tt.keys {
			t.Errorf("Keys of %+v = %q, want %q", tt.topics, got, tt.keys)
		}
	}
	// The partition of a key never changes: it decides where a post's versions go.
	if p := six.PartitionOf("fb:group/123"); p != six.PartitionOf("fb:group/123") || p < 0 || p >= 6 {
		t.Errorf("PartitionOf is %d", p)
	}
	seen := map[int]bool{}
	for i := range 200 {
		seen[six.PartitionOf(fmt.Sprintf("fb:group/%d", i))] = true
	}
	if len(seen) != 6 {
		t.Errorf("200 posts went to %d of 6 partitions", len(seen))
	}
}

func partitionedConfig(t *testing.T, env testenv.Env, partitions int) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
redis: {url: '%s'}
mysql: {dsn: '%s'}
topics: {prefix: %s, partitions: %d}
rules: [{name: r, query: acme, sinks: [c]}]
sinks: [{name: c, type: console}]
`, env.RedisURL, env.MySQLDSN, env.Prefix, partitions)))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Every version of a post, and what later stages publish about it, goes to one partition;
// other posts spread over all of them; streams of partitions and poison topics pass through.
func TestPublisherKeepsAPostInItsPartition(t *testing.T) {
	env := testenv.New(t)
	cfg := partitionedConfig(t, env, 4)
	rdb := env.Redis(t)
	ctx := context.Background()
	pub, err := newPublisher(cfg, rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	topics := TopicsOf(cfg)
	publish := func(topic, correlation string) {
		m := message.NewMessage(fmt.Sprint(correlation, topic, len(correlation)), []byte(`{}`))
		m.Metadata.Set(MetaCorrelationID, correlation)
		if err := pub.Publish(topic, m); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		publish(topics.Raw(), fmt.Sprintf("fb:g/%d", i))
	}
	publish(topics.Raw(), "fb:g/7")        // an edit
	publish(topics.Normalized(), "fb:g/7") // and what normalize made of it
	publish(Poison(topics.Stream(topics.Raw(), 2)), "fb:g/9")

	want := topics.PartitionOf("fb:g/7")
	total := int64(0)
	for p, stream := range topics.Streams(topics.Raw()) {
		n, err := rdb.XLen(ctx, stream).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("partition %d got none of 40 posts", p)
		}
		total += n
	}
	if total != 41 {
		t.Errorf("the partitions of posts.raw hold %d entries, want 41", total)
	}
	entries, err := rdb.XRange(ctx, topics.Stream(topics.Normalized(), want), "-", "+").Result()
	if err != nil || len(entries) != 1 {
		t.Errorf("posts.normalized partition %d: %d entries, %v; want the post's", want, len(entries), err)
	}
	if n, _ := rdb.XLen(ctx, topics.Raw()).Result(); n != 0 {
		t.Errorf("the unpartitioned stream %s got %d entries", topics.Raw(), n)
	}
	if n, _ := rdb.XLen(ctx, Poison(topics.Stream(topics.Raw(), 2))).Result(); n != 1 {
		t.Errorf("a poison topic is a stream already: got %d entries, want 1", n)
	}
}

// A configuration with another partition count than the streams were laid out with is
// refused, naming both; the first count is recorded by the first publisher.
func TestPartitionCountChangeIsRefused(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := newPublisher(partitionedConfig(t, env, 4), rdb, logger); err != nil {
		t.Fatal(err)
	}
	if _, err := newPublisher(partitionedConfig(t, env, 4), rdb, logger); err != nil {
		t.Fatalf("the same count again: %v", err)
	}
	_, err := newPublisher(partitionedConfig(t, env, 1), rdb, logger)
	if !errors.Is(err, ErrPartitionsChanged) {
		t.Fatalf("err = %v, want ErrPartitionsChanged", err)
	}
	for _, want := range []string{"says 1", "laid out with 4", env.Prefix + ".partitions"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

// With wait_replicas, a publish waits for replicas; a Redis without them fails the publish
// (after the entries were added: a retry adds them again, which every stage tolerates).
func TestWaitReplicasFailsWithoutReplicas(t *testing.T) {
	env := testenv.New(t)
	if !env.Real {
		t.Skip("miniredis has no WAIT: the real Redis (and the cluster test) check it")
	}
	cfg := partitionedConfig(t, env, 1)
	cfg.Redis.WaitReplicas = 1
	cfg.Redis.WaitTimeout = 50 * time.Millisecond
	rdb := env.Redis(t)
	pub, err := newPublisher(cfg, rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	err = pub.Publish(TopicsOf(cfg).Raw(), message.NewMessage("u1", []byte(`{}`)))
	if !errors.Is(err, streams.ErrTooFewReplicas) {
		t.Fatalf("err = %v, want streams.ErrTooFewReplicas on a Redis without replicas", err)
	}
	if n, _ := rdb.XLen(context.Background(), TopicsOf(cfg).Raw()).Result(); n != 1 {
		t.Fatalf("%d entries added", n)
	}
}
