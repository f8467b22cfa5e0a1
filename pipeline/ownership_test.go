package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	"groupwatch/internal/testenv"
)

// TestRetryStopsWhenItsEntryIsPoisonedOrClaimed: a message retried for a transient error
// stops being worked on once its entry was poisoned (acknowledged) elsewhere, or claimed by
// another consumer; while it is its own, its entry never looks idle to the claimers.
func TestRetryStopsWhenItsEntryIsPoisonedOrClaimed(t *testing.T) {
	const consumer = "p1.normalize.0"
	tests := []struct {
		name string
		// meanwhile acts on the entry after the handler's second failure.
		meanwhile func(ctx context.Context, rdb *redis.Client, topic, id string) error
		// release, if set, is what the other consumer does later.
		release func(ctx context.Context, rdb *redis.Client, topic, id string) error
	}{
		{"poisoned elsewhere", func(ctx context.Context, rdb *redis.Client, topic, id string) error {
			return rdb.XAck(ctx, topic, "normalize", id).Err()
		}, nil},
		{"claimed by another consumer", func(ctx context.Context, rdb *redis.Client, topic, id string) error {
			return rdb.XClaim(ctx, &redis.XClaimArgs{Stream: topic, Group: "normalize", Consumer: "p2.normalize.0", Messages: []string{id}}).Err()
		}, func(ctx context.Context, rdb *redis.Client, topic, id string) error {
			return rdb.XAck(ctx, topic, "normalize", id).Err()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testenv.New(t)
			rdb := env.Redis(t)
			ctx := context.Background()
			topic := env.Topic("posts.raw")
			if err := rdb.XGroupCreateMkStream(ctx, topic, "normalize", "0").Err(); err != nil {
				t.Fatal(err)
			}
			msg := message.NewMessage("uuid-1", []byte(`{}`))
			values, err := tolerantUnmarshaller{}.Marshal(topic, msg)
			if err != nil {
				t.Fatal(err)
			}
			id, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, Values: values}).Result()
			if err != nil {
				t.Fatal(err)
			}
			if err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "normalize", Consumer: consumer, Streams: []string{topic, ">"}, Count: 1}).Err(); err != nil {
				t.Fatal(err)
			}

			var calls atomic.Int64
			acted := make(chan struct{})
			h := func(*message.Message) ([]*message.Message, error) {
				if calls.Add(1) == 2 {
					if err := tt.meanwhile(ctx, rdb, topic, id); err != nil {
						t.Error(err)
					}
					close(acted)
				}
				return nil, errors.New("dial tcp 127.0.0.1:3306: connection refused")
			}
			r := retry{initial: 20 * time.Millisecond, max: 40 * time.Millisecond, logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
				owner: &entryOwnership{rdb: rdb, topic: topic, group: "normalize", consumerOf: func(*message.Message) string { return consumer }}}
			done := make(chan error, 1)
			go func() { _, err := r.middleware(h)(msg); done <- err }()

			<-acted
			if tt.release != nil {
				time.Sleep(300 * time.Millisecond)
				if n := calls.Load(); n > 2 {
					t.Fatalf("the handler ran %d times after another consumer claimed the entry", n-2)
				}
				select {
				case err := <-done:
					t.Fatalf("returned (%v) while the other consumer still holds the entry: it would ack it away", err)
				default:
				}
				if err := tt.release(ctx, rdb, topic, id); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("want the loop to end quietly, got %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("still retrying after %d calls", calls.Load())
			}
			if n := calls.Load(); n > 2 {
				t.Fatalf("the handler ran %d times after the entry was taken away", n-2)
			}
		})
	}

	t.Run("its own entry never looks idle", func(t *testing.T) {
		env := testenv.New(t)
		rdb := env.Redis(t)
		ctx := context.Background()
		topic := env.Topic("posts.raw")
		rdb.XGroupCreateMkStream(ctx, topic, "normalize", "0")
		msg := message.NewMessage("uuid-2", []byte(`{}`))
		values, _ := tolerantUnmarshaller{}.Marshal(topic, msg)
		id, _ := rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, Values: values}).Result()
		rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "normalize", Consumer: consumer, Streams: []string{topic, ">"}, Count: 1})
		var failing atomic.Bool
		failing.Store(true)
		h := func(*message.Message) ([]*message.Message, error) {
			if failing.Load() {
				return nil, errors.New("connection refused")
			}
			return nil, nil
		}
		r := retry{initial: 100 * time.Millisecond, max: 100 * time.Millisecond, logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			owner: &entryOwnership{rdb: rdb, topic: topic, group: "normalize", consumerOf: func(*message.Message) string { return consumer }}}
		done := make(chan error, 1)
		go func() { _, err := r.middleware(h)(msg); done <- err }()
		time.Sleep(700 * time.Millisecond)
		p, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: topic, Group: "normalize", Start: id, End: id, Count: 1}).Result()
		if err != nil || len(p) != 1 || p[0].Consumer != consumer {
			t.Fatalf("pending %+v %v", p, err)
		}
		if env.Real && p[0].Idle > 400*time.Millisecond { // miniredis does not track idle times
			t.Fatalf("entry idle for %v while its consumer retries it: another would claim it", p[0].Idle)
		}
		if p[0].RetryCount != 1 {
			t.Fatalf("delivery count %d: keeping the entry must not count as a delivery", p[0].RetryCount)
		}
		failing.Store(false)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
