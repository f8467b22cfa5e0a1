package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	"groupwatch/streams"
)

// partitionedPublisher sends a message published to a topic to the stream of its partition:
// the hash of its correlation id, which is the post's source/external_id from posts.raw to
// alerts, so every version of a post and everything made from it stay in one partition, in
// order. A message without one (none is published so today) goes by its UUID. Streams of
// partitions and poison topics are already streams: they pass through.
type partitionedPublisher struct {
	message.Publisher
	topics Topics
	// sync, when set (redis.wait_replicas), publishes instead of Publisher: XADDs followed
	// by WAIT on the stream's master.
	sync *replicatedXAdd
}

func (p partitionedPublisher) Publish(topic string, msgs ...*message.Message) error {
	if p.topics.Partitions() == 1 || !p.topics.isTopic(topic) {
		return p.publish(topic, msgs)
	}
	byStream := map[string][]*message.Message{}
	var order []string
	for _, m := range msgs {
		key := m.Metadata.Get(MetaCorrelationID)
		if key == "" {
			key = m.UUID
		}
		stream := p.topics.Stream(topic, p.topics.PartitionOf(key))
		if _, ok := byStream[stream]; !ok {
			order = append(order, stream)
		}
		byStream[stream] = append(byStream[stream], m)
	}
	for _, stream := range order {
		if err := p.publish(stream, byStream[stream]); err != nil {
			return err
		}
	}
	return nil
}

func (p partitionedPublisher) publish(stream string, msgs []*message.Message) error {
	if p.sync != nil {
		return p.sync.publish(stream, msgs)
	}
	return p.Publisher.Publish(stream, msgs...)
}

// replicatedXAdd adds entries to a stream and then waits, on the same connection to the
// stream's master, until replicas replicas hold them (WAIT counts only this connection's
// writes, so both go in one pipeline on one node's client). Entries are marshalled as the
// streams publisher does, so every subscriber reads them alike. It does not batch concurrent
// publishes as streams.Publisher does: with wait_replicas every publish pays its round trip.
type replicatedXAdd struct {
	rdb      redis.UniversalClient
	replicas int
	timeout  int64 // milliseconds
	maxLen   int64
}

// errTooFewReplicas: the entries were added, but fewer replicas than asked acknowledged
// them in time; a retry publishes them again (at least once), which every stage tolerates.
var errTooFewReplicas = errors.New("too few replicas acknowledged the entries")

func (r *replicatedXAdd) publish(stream string, msgs []*message.Message) error {
	ctx := context.Background()
	if len(msgs) > 0 {
		ctx = msgs[0].Context()
	}
	node := redis.Cmdable(r.rdb)
	if c, ok := r.rdb.(*redis.ClusterClient); ok {
		master, err := c.MasterForKey(ctx, stream)
		if err != nil {
			return fmt.Errorf("cannot find the master of %s: %w", stream, err)
		}
		node = master
	}
	pipe := node.Pipeline()
	var m streams.DefaultMarshaller
	for _, msg := range msgs {
		values, err := m.Marshal(stream, msg)
		if err != nil {
			return fmt.Errorf("cannot marshal message %s: %w", msg.UUID, err)
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: values, MaxLen: r.maxLen, Approx: true})
	}
	wait := pipe.Do(ctx, "WAIT", r.replicas, r.timeout)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("cannot add %d entries to %s: %w", len(msgs), stream, err)
	}
	n, err := wait.Int64()
	if err != nil {
		return fmt.Errorf("cannot wait for replicas of %s: %w", stream, err)
	}
	if n < int64(r.replicas) {
		return fmt.Errorf("%w: %s, %d of %d within %sms", errTooFewReplicas, stream, n, r.replicas, strconv.FormatInt(r.timeout, 10))
	}
	return nil
}

// ErrPartitionsChanged: the configured topics.partitions differs from the count the streams
// were laid out with.
var ErrPartitionsChanged = errors.New("topics.partitions differs from the streams' layout")

// checkPartitions records the partition count in Redis the first time, and refuses a
// configuration with another: a post of one source would otherwise be published to a
// partition nobody reads, or its versions split over two. README, "Changing
// topics.partitions", says how to change it.
func checkPartitions(ctx context.Context, rdb redis.UniversalClient, t Topics) error {
	key := t.Keys() + "partitions"
	want := strconv.Itoa(t.Partitions())
	if err := rdb.SetNX(ctx, key, want, 0).Err(); err != nil {
		return fmt.Errorf("cannot record the partition count in %s: %w", key, err)
	}
	have, err := rdb.Get(ctx, key).Result()
	if err != nil {
		return fmt.Errorf("cannot read the partition count in %s: %w", key, err)
	}
	if have != want {
		return fmt.Errorf("%w: the configuration says %s, the streams were laid out with %s (Redis key %s); "+
			"to change it, drain and stop every process, then follow \"Changing topics.partitions\" in the README",
			ErrPartitionsChanged, want, have, key)
	}
	return nil
}
