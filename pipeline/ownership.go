package pipeline

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
)

// entryOwnership lets a retry loop know whether the stream entry it retries is still its
// own. A loop that retries a message for long is otherwise joined by others: past
// pipeline.claim_idle another consumer claims the entry and starts a loop of its own, the
// over-delivery check may poison it, and every loop goes on regardless (an 18 MB post once
// held six normalize consumers for minutes after it was poisoned). With it, the loop keeps
// its entry from looking idle while it waits, and stops when the entry was poisoned or
// acknowledged elsewhere, or claimed by another consumer.
type entryOwnership struct {
	rdb      redis.UniversalClient
	topic    string
	group    string
	instance string // consumer names are instance.handler
	// consumerOf names the consumer holding msg; nil: instance + "." + the handler's name.
	consumerOf func(msg *message.Message) string
}

// Ownership states of an entry.
type ownership int

const (
	ownedHere      ownership = iota // pending with this consumer: keep retrying
	ownedElsewhere                  // pending with another consumer: it does the work
	notPending                      // acknowledged (done or poisoned): nothing left to do
	ownerUnknown                    // cannot tell (Redis unreachable): keep retrying
)

// entryRef is the stream entry behind one message, found once.
type entryRef struct {
	consumer string
	id       string
}

// find looks the message's entry up among its consumer's pending entries, by UUID.
func (o *entryOwnership) find(ctx context.Context, msg *message.Message) (entryRef, bool) {
	consumer := o.instance + "." + message.HandlerNameFromCtx(msg.Context())
	if o.consumerOf != nil {
		consumer = o.consumerOf(msg)
	}
	pending, err := o.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: o.topic, Group: o.group, Start: "-", End: "+", Count: 100, Consumer: consumer}).Result()
	if err != nil {
		return entryRef{}, false
	}
	for _, p := range pending {
		entries, err := o.rdb.XRangeN(ctx, o.topic, p.ID, p.ID, 1).Result()
		if err != nil || len(entries) == 0 {
			continue
		}
		if uuid, _ := entries[0].Values["_watermill_message_uuid"].(string); uuid == msg.UUID {
			return entryRef{consumer: consumer, id: p.ID}, true
		}
	}
	return entryRef{}, false
}

// check says who holds the entry now, and when it is still this consumer's, resets its
// idle time (XCLAIM JUSTID, which does not count as a delivery) so nobody claims it.
func (o *entryOwnership) check(ctx context.Context, ref entryRef) ownership {
	pending, err := o.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: o.topic, Group: o.group, Start: ref.id, End: ref.id, Count: 1}).Result()
	switch {
	case err != nil:
		return ownerUnknown
	case len(pending) == 0:
		return notPending
	case pending[0].Consumer != ref.consumer:
		return ownedElsewhere
	}
	// RETRYCOUNT keeps the delivery count as it is: real Redis leaves it alone on JUSTID,
	// miniredis (the stand-in) would count every keep-alive as a delivery.
	if err := o.rdb.Do(ctx, "XCLAIM", o.topic, o.group, ref.consumer, 0, ref.id, "RETRYCOUNT", pending[0].RetryCount, "JUSTID").Err(); err != nil {
		return ownerUnknown
	}
	return ownedHere
}

// waitReleased waits, doing no work, until another consumer's entry is no longer pending
// (it processed or poisoned it), checking every interval; false when ctx ends first. The
// message cannot be acknowledged here before that: the other consumer's work would lose
// its entry if it then died.
func (o *entryOwnership) waitReleased(ctx context.Context, ref entryRef, interval time.Duration) bool {
	for {
		if o.check(ctx, ref) == notPending {
			return true
		}
		if !sleep(ctx, interval) {
			return false
		}
	}
}
