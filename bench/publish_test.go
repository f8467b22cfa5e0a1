package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/redis/go-redis/v9"

	"groupwatch/pipeline"
)

// publishBatch is how many posts go to Redis in one pipelined round trip.
const publishBatch = 500

// rawPublisher writes posts to posts.raw exactly as the pipeline's own publisher would (the
// watermill-redisstream entry format, the message pipeline.NewRawPostMessage builds), but
// many XADDs to a round trip, so that publishing is never what limits the run.
type rawPublisher struct {
	rdb   *redis.Client
	topic string
}

// publish stamps each post with the time now as its ReceivedAt, sends them all in one
// pipeline and returns that time: the start of each post's publish → alert latency.
func (p rawPublisher) publish(ctx context.Context, posts []benchPost) (time.Time, error) {
	at := time.Now()
	pipe := p.rdb.Pipeline()
	for i := range posts {
		posts[i].raw.ReceivedAt = at.UTC()
		msg, err := pipeline.NewRawPostMessage(posts[i].raw)
		if err != nil {
			return at, err
		}
		values, err := redisstream.DefaultMarshallerUnmarshaller{}.Marshal(p.topic, msg)
		if err != nil {
			return at, err
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: p.topic, Values: values})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return at, fmt.Errorf("cannot publish %d posts to %s: %w", len(posts), p.topic, err)
	}
	return at, nil
}

// burst publishes every post as fast as Redis takes them. sent[i] is post i's publish time.
func (p rawPublisher) burst(ctx context.Context, posts []benchPost, sent []time.Time) error {
	for start := 0; start < len(posts); start += publishBatch {
		end := min(start+publishBatch, len(posts))
		at, err := p.publish(ctx, posts[start:end])
		if err != nil {
			return err
		}
		for i := start; i < end; i++ {
			sent[i] = at
		}
	}
	return nil
}

// paced publishes at rate posts/s, every 10 ms whatever is due by then, so that latency is
// measured on a pipeline that keeps up rather than on a backlog.
func (p rawPublisher) paced(ctx context.Context, posts []benchPost, sent []time.Time, rate int) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	done := 0
	for done < len(posts) {
		due := min(int(time.Since(start).Seconds()*float64(rate)), len(posts))
		for done < due {
			end := min(due, done+publishBatch)
			at, err := p.publish(ctx, posts[done:end])
			if err != nil {
				return err
			}
			for i := done; i < end; i++ {
				sent[i] = at
			}
			done = end
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}
