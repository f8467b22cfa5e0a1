package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/redis/go-redis/v9"
)

// poisonOverDelivered is the subscribers' claim filter: an entry handed out more than max
// times (its consumers died with it, again and again: a message that kills its handler) is
// not claimed once more but moved to the stage's poison topic with the reason and acked, so it
// does not circle forever. Every consumer of the group runs this check on the same pending
// entries: the one whose XCLAIM (with the idle time as its condition) takes the entry is the
// one that poisons it, so it is poisoned once, not once per consumer.
func poisonOverDelivered(rdb redis.UniversalClient, topic, group, consumer string, minIdle time.Duration, max int64, logger *slog.Logger) func(redis.XPendingExt) bool {
	codec := tolerantUnmarshaller{}
	return func(p redis.XPendingExt) bool {
		if p.RetryCount <= max {
			return true
		}
		ctx := context.Background()
		won, err := rdb.XClaimJustID(ctx, &redis.XClaimArgs{Stream: topic, Group: group, Consumer: consumer, MinIdle: minIdle, Messages: []string{p.ID}}).Result()
		if err != nil {
			return false // cannot tell now: the next round looks again
		}
		if len(won) == 0 {
			return false // another consumer took it first, and poisons it
		}
		entries, err := rdb.XRangeN(ctx, topic, p.ID, p.ID, 1).Result()
		if err != nil || len(entries) == 0 {
			return true // cannot read it now: let it be claimed and tried
		}
		msg, _ := codec.Unmarshal(entries[0].Values)
		reason := fmt.Sprintf("delivered %d times, and every consumer holding it stopped (the limit is pipeline.max_deliveries = %d)", p.RetryCount, max)
		msg.Metadata.Set(middleware.ReasonForPoisonedKey, reason)
		msg.Metadata.Set(middleware.PoisonedTopicKey, topic)
		msg.Metadata.Set(middleware.PoisonedHandlerKey, group)
		values, err := codec.Marshal(Poison(topic), msg)
		if err != nil {
			return true
		}
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: Poison(topic), Values: values}).Err(); err != nil {
			return true
		}
		rdb.XAck(ctx, topic, group, p.ID)
		logger.Warn("message poisoned", "reason", reason, "poison_topic", Poison(topic), "entry", p.ID,
			"correlation_id", msg.Metadata.Get(MetaCorrelationID))
		return false
	}
}
