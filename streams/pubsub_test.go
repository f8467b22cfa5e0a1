package streams

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// testRedis is a client of the real Redis named by GROUPWATCH_TEST_REDIS_URL, or of a
// miniredis of the test's own; real says which. Keys under prefix are deleted at the end.
func testRedis(t *testing.T) (newClient func(t *testing.T) redis.UniversalClient, prefix string, real bool) {
	t.Helper()
	prefix = "gwstreams." + watermill.NewShortUUID()
	url := os.Getenv("GROUPWATCH_TEST_REDIS_URL")
	var opts *redis.Options
	if url != "" {
		var err error
		if opts, err = redis.ParseURL(url); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { deleteKeys(opts, prefix) })
	} else {
		opts = &redis.Options{Addr: miniredis.RunT(t).Addr()}
	}
	return func(t *testing.T) redis.UniversalClient {
		c := redis.NewClient(opts)
		t.Cleanup(func() { c.Close() })
		return c
	}, prefix, url != ""
}

func deleteKeys(opts *redis.Options, prefix string) {
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+".*", 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
}

// testSubscriberConfig has short intervals, so that claims and redeliveries happen within
// the suite's timeouts.
func testSubscriberConfig(client redis.UniversalClient, group string) SubscriberConfig {
	return SubscriberConfig{
		Client: client, ConsumerGroup: group, Consumer: watermill.NewShortUUID(),
		BatchSize: 32, BlockTime: 50 * time.Millisecond,
		NackDelay: 20 * time.Millisecond, MaxNackDelay: 200 * time.Millisecond,
		ClaimInterval: 200 * time.Millisecond, ClaimIdle: time.Second,
		CloseTimeout: 2 * time.Second,
	}
}

// TestPubSub runs watermill's conformance suite on the Subscriber and Publisher: on the real
// Redis of GROUPWATCH_TEST_REDIS_URL when set (CI), else on miniredis, which implements
// every command used here (XREADGROUP with id 0 and >, XACK with many ids, XPENDING IDLE,
// XCLAIM with many ids, pipelined XADD MAXLEN ~).
//
// Features, stated as they hold:
//   - ConsumerGroups: yes. Every subscriber the suite makes within one test shares that
//     test's group (named after the test), each with its own consumer name, so the tests
//     that close a subscriber and open another exercise claiming: entries read but not handed
//     out, or handed out and not acked, are left pending and claimed after ClaimIdle.
//   - ExactlyOnceDelivery: no. Delivery is at least once: an ack that is not flushed
//     before a crash, or an entry claimed while its first consumer still works on it, is
//     delivered again.
//   - GuaranteedOrder and GuaranteedOrderWithSingleSubscriber: no. A batch is processed
//     concurrently, a nacked message comes back after later ones, and a claimed entry after
//     newer ones. (The suite's order test is skipped.)
//   - NewSubscriberReceivesOldMessages: no, as configured here: a new subscriber joins its
//     test's group and gets what the group has not consumed. (A new group starts at
//     OldestID, "0" by default, and does read the whole retained stream; TestConsumerGroups
//     covers groups created after the fact.)
//   - Persistent: yes (as durable as the Redis server's persistence).
//   - RestartServiceCommand: none; Redis restarts are the pipeline's fault tests
//     (cmd/pipeline), which run against the real binary.
//   - ContextPreserved: no; a message's context is the subscription's, cancelled at Ack or
//     at Close.
//
// Limits for CI: on miniredis the suite runs in its short mode (ForceShort: 100 to 1,000
// messages per test instead of up to 10,000); miniredis serialises every command under one
// lock and is not what the figures are about. On real Redis it runs in full. The stress
// variant (TestPubSubStressTest, ten full copies in parallel) is not run.
func TestPubSub(t *testing.T) {
	newClient, prefix, real := testRedis(t)
	features := tests.Features{
		ConsumerGroups:                      true,
		ExactlyOnceDelivery:                 false,
		GuaranteedOrder:                     false,
		GuaranteedOrderWithSingleSubscriber: false,
		Persistent:                          true,
		RequireSingleInstance:               false,
		NewSubscriberReceivesOldMessages:    false,
		ForceShort:                          !real,
		GenerateTopicFunc: func(tctx tests.TestContext) string {
			return prefix + ".topic-" + string(tctx.TestID)
		},
	}
	groupOf := func(t *testing.T) string {
		// The suite's innermost test is named after its TestID: one group per test.
		name := t.Name()
		return "group-" + name[strings.LastIndex(name, "/")+1:]
	}
	constructor := func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
		client := newClient(t)
		pub, err := NewPublisher(PublisherConfig{Client: client, MaxBatch: 64}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := NewSubscriber(testSubscriberConfig(client, group), nil)
		if err != nil {
			t.Fatal(err)
		}
		return pub, sub
	}
	tests.TestPubSub(t, features,
		func(t *testing.T) (message.Publisher, message.Subscriber) { return constructor(t, groupOf(t)) },
		constructor)
}
