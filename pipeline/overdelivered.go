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
		log := logger.With("topic", topic, "group", group, "entry", p.ID)
		won, err := rdb.XClaimJustID(ctx, &redis.XClaimArgs{Stream: topic, Group: group, Consumer: consumer, MinIdle: minIdle, Messages: []string{p.ID}}).Result()
		if err != nil {
			log.Warn("cannot claim an over-delivered entry to poison it; the next round looks again", "error", err.Error())
			return false
		}
		if len(won) == 0 {
			return false // another consumer took it first, and poisons it
		}
		entries, err := rdb.XRangeN(ctx, topic, p.ID, p.ID, 1).Result()
		if err != nil || len(entries) == 0 {
			why := "the entry is gone from the stream (trimmed)"
			if err != nil {
				why = err.Error()
			}
			log.Warn("cannot read an over-delivered entry to poison it; it is tried once more", "error", why)
			return true
		}
		// tolerantUnmarshaller never fails: an entry it cannot read comes back as a foreign
		// message with the reason in its metadata, and is poisoned as such.
		msg, err := codec.Unmarshal(entries[0].Values)
		if err != nil {
			log.Warn("cannot read an over-delivered entry to poison it; it is tried once more", "error", err.Error())
			return true
		}
		reason := fmt.Sprintf("delivered %d times, and every consumer holding it stopped (the limit is pipeline.max_deliveries = %d)", p.RetryCount, max)
		msg.Metadata.Set(middleware.ReasonForPoisonedKey, reason)
		msg.Metadata.Set(middleware.PoisonedTopicKey, topic)
		msg.Metadata.Set(middleware.PoisonedHandlerKey, group)
		values, err := codec.Marshal(Poison(topic), msg)
		if err != nil {
			log.Warn("cannot encode an over-delivered entry for the poison topic; it is tried once more", "error", err.Error())
			return true
		}
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: Poison(topic), Values: values}).Err(); err != nil {
			log.Warn("cannot poison an over-delivered entry; it is tried once more", "error", err.Error())
			return true
		}
		if err := rdb.XAck(ctx, topic, group, p.ID).Err(); err != nil {
			// Poisoned but still pending: the next round finds it again and poisons a copy.
			log.Warn("poisoned an over-delivered entry but cannot acknowledge it", "error", err.Error())
		}
		log.Warn("message poisoned", "reason", reason, "poison_topic", Poison(topic),
			"correlation_id", msg.Metadata.Get(MetaCorrelationID))
		return false
	}
}
