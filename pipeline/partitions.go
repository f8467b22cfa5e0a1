package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
)

// partitionedPublisher sends a message published to a topic to the stream of its partition:
// the hash of its correlation id, which is the post's source/external_id from posts.raw to
// alerts, so every version of a post and everything made from it stay in one partition, in
// order. A message without one (none is published so today) goes by its UUID. Streams of
// partitions and poison topics are already streams: they pass through.
type partitionedPublisher struct {
	message.Publisher
	topics Topics
}

func (p partitionedPublisher) Publish(topic string, msgs ...*message.Message) error {
	if p.topics.Partitions() == 1 || !p.topics.isTopic(topic) {
		return p.Publisher.Publish(topic, msgs...)
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
		if err := p.Publisher.Publish(stream, byStream[stream]...); err != nil {
			return err
		}
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
