package streams

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
)

// publishN publishes n messages with payloads "0".."n-1" and returns their UUIDs.
func publishN(t *testing.T, client redis.UniversalClient, topic string, n int) []string {
	t.Helper()
	pub, err := NewPublisher(PublisherConfig{Client: client}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	var uuids []string
	var msgs []*message.Message
	for i := range n {
		m := message.NewMessage(watermill.NewUUID(), []byte(fmt.Sprint(i)))
		msgs = append(msgs, m)
		uuids = append(uuids, m.UUID)
	}
	if err := pub.Publish(topic, msgs...); err != nil {
		t.Fatal(err)
	}
	return uuids
}

func pendingIDs(t *testing.T, client redis.UniversalClient, topic, group string) []redis.XPendingExt {
	t.Helper()
	p, err := client.XPendingExt(context.Background(), &redis.XPendingExtArgs{Stream: topic, Group: group, Start: "-", End: "+", Count: 10000}).Result()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func receive(t *testing.T, msgs <-chan *message.Message, n int) []*message.Message {
	t.Helper()
	var out []*message.Message
	for len(out) < n {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatalf("channel closed after %d of %d messages", len(out), n)
			}
			out = append(out, m)
		case <-time.After(10 * time.Second):
			t.Fatalf("received %d of %d messages", len(out), n)
		}
	}
	return out
}

// A whole batch is handed out before any ack: the router can run it concurrently.
func TestBatchHandedOutWithoutWaitingForAcks(t *testing.T) {
	newClient, prefix, _ := testRedis(t)
	client := newClient(t)
	topic := prefix + ".batch"
	publishN(t, client, topic, 100)
	cfg := testSubscriberConfig(client, "g")
	cfg.BatchSize = 100
	sub, err := NewSubscriber(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := sub.Subscribe(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	got := receive(t, msgs, 100) // none acked yet
	for _, m := range got {
		m.Ack()
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if p := pendingIDs(t, client, topic, "g"); len(p) != 0 {
		t.Fatalf("%d entries still pending after every message was acked and the subscriber closed", len(p))
	}
}

// SIGTERM with acks gathered but not yet sent: Close sends them; what was handed out and
// not acked stays pending; nothing not acked is acknowledged.
func TestCloseFlushesGatheredAcksAndLeavesTheRest(t *testing.T) {
	newClient, prefix, _ := testRedis(t)
	client := newClient(t)
	topic := prefix + ".close"
	publishN(t, client, topic, 10)
	cfg := testSubscriberConfig(client, "g")
	cfg.AckInterval = time.Hour // acks are only sent when a batch is full, or at Close
	cfg.BatchSize = 1000
	cfg.CloseTimeout = 200 * time.Millisecond
	sub, err := NewSubscriber(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := sub.Subscribe(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	got := receive(t, msgs, 10)
	for _, m := range got[:9] {
		m.Ack()
	}
	time.Sleep(50 * time.Millisecond)
	if p := pendingIDs(t, client, topic, "g"); len(p) != 10 {
		t.Fatalf("%d entries pending before Close, want all 10 (acks gathered, not sent)", len(p))
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	p := pendingIDs(t, client, topic, "g")
	if len(p) != 1 {
		t.Fatalf("%d entries pending after Close, want the 1 not acked", len(p))
	}
	if e, ok := EntryOf(got[9].Context()); !ok || e.ID != p[0].ID || e.Stream != topic || e.Group != "g" || e.Consumer != cfg.Consumer {
		t.Fatalf("EntryOf the message left pending: %+v, %v; want entry %s", e, ok, p[0].ID)
	}
	entries, err := client.XRange(context.Background(), topic, p[0].ID, p[0].ID).Result()
	if err != nil || len(entries) != 1 || entries[0].Values[UUIDField] != got[9].UUID {
		t.Fatalf("the entry left pending is not the message that was not acked: %v %v", entries, err)
	}
}

// A consumer restarted under its name takes its own pending entries back at once (read with
// id 0), without waiting for any claim.
func TestRestartedConsumerTakesBackItsPendingEntries(t *testing.T) {
	newClient, prefix, _ := testRedis(t)
	client := newClient(t)
	topic := prefix + ".own"
	uuids := publishN(t, client, topic, 20)
	// The previous run read everything and died with it in hand.
	if err := client.XGroupCreateMkStream(context.Background(), topic, "g", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := client.XReadGroup(context.Background(), &redis.XReadGroupArgs{Group: "g", Consumer: "inst.normalize.0", Streams: []string{topic, ">"}, Count: 100}).Err(); err != nil {
		t.Fatal(err)
	}
	cfg := testSubscriberConfig(client, "g")
	cfg.Consumer = "inst.normalize.0"
	cfg.ClaimIdle = time.Hour
	sub, err := NewSubscriber(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range receive(t, msgs, 20) {
		seen[m.UUID]++
		m.Ack()
	}
	for _, u := range uuids {
		if seen[u] != 1 {
			t.Fatalf("message %s handed out %d times, want once", u, seen[u])
		}
	}
}

// kill -9 while a full batch is in hand: the live consumers claim the whole batch (in
// batches, through ShouldClaim with its delivery counts) and every entry is handed out once.
// On real Redis two live consumers race for it and XCLAIM's MIN-IDLE lets one take each
// entry; miniredis ignores MIN-IDLE (both would take it), so there one consumer claims.
func TestFullBatchOfADeadConsumerIsClaimedOnce(t *testing.T) {
	newClient, prefix, real := testRedis(t)
	client := newClient(t)
	topic := prefix + ".dead"
	const n = 300
	uuids := publishN(t, client, topic, n)
	if err := client.XGroupCreateMkStream(context.Background(), topic, "g", "0").Err(); err != nil {
		t.Fatal(err)
	}
	// The dead process: it read a full batch and was killed before acking any of it.
	if err := client.XReadGroup(context.Background(), &redis.XReadGroupArgs{Group: "g", Consumer: "dead", Streams: []string{topic, ">"}, Count: n}).Err(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var asked []redis.XPendingExt
	subs := make([]*Subscriber, 1)
	if real {
		subs = make([]*Subscriber, 2)
	}
	merged := make(chan *message.Message)
	var wg sync.WaitGroup
	for i := range subs {
		cfg := testSubscriberConfig(newClient(t), "g")
		cfg.BatchSize = 64
		cfg.ClaimIdle = 300 * time.Millisecond
		cfg.ClaimInterval = 100 * time.Millisecond
		cfg.ShouldClaim = func(p redis.XPendingExt) bool {
			mu.Lock()
			asked = append(asked, p)
			mu.Unlock()
			return true
		}
		sub, err := NewSubscriber(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		subs[i] = sub
		msgs, err := sub.Subscribe(context.Background(), topic)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range msgs {
				merged <- m
			}
		}()
	}
	seen := map[string]int{}
	for range n {
		m := receive(t, merged, 1)[0]
		seen[m.UUID]++
		m.Ack()
	}
	// Anything handed out twice would arrive now.
	select {
	case m := <-merged:
		t.Fatalf("message %s handed out again", m.UUID)
	case <-time.After(800 * time.Millisecond):
	}
	go func() {
		for range merged {
		}
	}()
	for _, s := range subs {
		s.Close()
	}
	wg.Wait()
	close(merged)
	for _, u := range uuids {
		if seen[u] != 1 {
			t.Fatalf("message %s handed out %d times, want once", u, seen[u])
		}
	}
	if p := pendingIDs(t, client, topic, "g"); len(p) != 0 {
		t.Fatalf("%d entries still pending", len(p))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range asked {
		if p.Consumer != "dead" || p.RetryCount < 1 {
			t.Fatalf("ShouldClaim asked about %+v: want the dead consumer's entries with their delivery counts", p)
		}
	}
}

// A nack leaves the entry pending and hands the message out again after a delay.
func TestNackRedeliversWithBackoff(t *testing.T) {
	newClient, prefix, _ := testRedis(t)
	client := newClient(t)
	topic := prefix + ".nack"
	publishN(t, client, topic, 1)
	cfg := testSubscriberConfig(client, "g")
	cfg.NackDelay = 100 * time.Millisecond
	sub, err := NewSubscriber(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	first := receive(t, msgs, 1)[0]
	first.Nack()
	nacked := time.Now()
	if p := pendingIDs(t, client, topic, "g"); len(p) != 1 {
		t.Fatalf("%d pending after a nack, want 1", len(p))
	}
	again := receive(t, msgs, 1)[0]
	if waited := time.Since(nacked); waited < 90*time.Millisecond {
		t.Fatalf("redelivered %s after the nack, want at least NackDelay", waited)
	}
	if again.UUID != first.UUID {
		t.Fatalf("got %s, want %s again", again.UUID, first.UUID)
	}
	again.Nack()
	nacked = time.Now()
	third := receive(t, msgs, 1)[0]
	if waited := time.Since(nacked); waited < 190*time.Millisecond {
		t.Fatalf("second redelivery after %s, want the delay doubled", waited)
	}
	third.Ack()
}
