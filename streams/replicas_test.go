package streams

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/internal/testenv"
)

// With WaitReplicas, a Redis without replicas cannot confirm: every concurrent publish fails
// with ErrTooFewReplicas, although its entries were added (a retry adds them again).
func TestWaitReplicasFailsEveryCallWithoutReplicas(t *testing.T) {
	newClient, prefix, real := testRedis(t)
	if !real {
		t.Skip("miniredis has no WAIT: set GROUPWATCH_TEST_REDIS_URL (CI does)")
	}
	client := newClient(t)
	pub, err := NewPublisher(PublisherConfig{Client: client, WaitReplicas: 1, WaitTimeout: 50 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	topic := prefix + ".wait"
	const calls = 20
	errs := make([]error, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() { errs[i] = pub.Publish(topic, message.NewMessage(watermill.NewUUID(), []byte("x"))) })
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, ErrTooFewReplicas) {
			t.Errorf("call %d: err = %v, want ErrTooFewReplicas", i, err)
		}
	}
	if n := client.XLen(context.Background(), topic).Val(); n != calls {
		t.Errorf("%d entries added, want %d", n, calls)
	}
}

// On a Redis Cluster, a batch writing to streams on every master ends each master's
// pipeline with its own WAIT: every publish succeeds once the replicas hold it, and lands
// in its stream.
func TestWaitReplicasOnARedisCluster(t *testing.T) {
	cluster := testenv.RedisCluster(t)
	client := cluster.Client(t)
	pub, err := NewPublisher(PublisherConfig{Client: client, WaitReplicas: 1, WaitTimeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ctx := context.Background()
	streams := make([]string, 12) // spread over the 3 masters' slots
	masters := map[string]bool{}
	for i := range streams {
		streams[i] = fmt.Sprintf("gwstreams.wait.%d", i)
		addr, err := cluster.MasterOf(ctx, streams[i])
		if err != nil {
			t.Fatal(err)
		}
		masters[addr] = true
	}
	if len(masters) < 2 {
		t.Fatalf("the streams fall on %d masters; the test needs several", len(masters))
	}
	const perStream = 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []error
	for _, s := range streams {
		for range perStream {
			wg.Go(func() {
				if err := pub.Publish(s, message.NewMessage(watermill.NewUUID(), []byte("x"))); err != nil {
					mu.Lock()
					failed = append(failed, err)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Fatalf("%d publishes failed, the first: %v", len(failed), failed[0])
	}
	for _, s := range streams {
		if n := client.XLen(ctx, s).Val(); n != perStream {
			t.Errorf("%s holds %d entries, want %d", s, n, perStream)
		}
	}
}
