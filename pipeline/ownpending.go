package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// recoverOwnPending hands this instance's pending entries (left by its previous run under
// the same --instance, say a restarted pod) back to the stream at once, rather than after the
// claim idle time: each is added again (same message, so every stage treats it as the same
// delivery) and the old entry acked. Processes named by default (hostname-pid) never find
// their predecessor's entries; another live consumer claims those after the idle time.
func recoverOwnPending(ctx context.Context, rdb redis.UniversalClient, subs []Subscription, instance string) (int, error) {
	moved := 0
	for _, s := range subs {
		consumers, err := rdb.XInfoConsumers(ctx, s.Topic, s.Stage).Result()
		if err != nil {
			if isNoStream(err) || strings.Contains(err.Error(), "NOGROUP") {
				continue
			}
			return moved, fmt.Errorf("cannot list consumers of %s/%s: %w", s.Topic, s.Stage, err)
		}
		prefix := instance + "." + s.Stage + "."
		for _, c := range consumers {
			if !strings.HasPrefix(c.Name, prefix) || c.Pending == 0 {
				continue
			}
			pending, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.Topic, Group: s.Stage, Start: "-", End: "+", Count: c.Pending, Consumer: c.Name}).Result()
			if err != nil {
				return moved, fmt.Errorf("cannot list pending entries of %s: %w", c.Name, err)
			}
			for _, p := range pending {
				entries, err := rdb.XRangeN(ctx, s.Topic, p.ID, p.ID, 1).Result()
				if err != nil {
					return moved, err
				}
				if len(entries) == 1 {
					if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.Topic, Values: entries[0].Values}).Err(); err != nil {
						return moved, err
					}
				}
				if err := rdb.XAck(ctx, s.Topic, s.Stage, p.ID).Err(); err != nil {
					return moved, err
				}
				moved++
			}
		}
	}
	return moved, nil
}
