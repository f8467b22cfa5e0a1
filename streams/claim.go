package streams

import (
	"strconv"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/redis/go-redis/v9"
)

// claimLoop takes over, in batches, entries that other consumers (dead ones, or this
// consumer's previous run under another name) left pending past ClaimIdle: once at start,
// then every ClaimInterval.
//
// It lists them with XPENDING IDLE … COUNT (which gives each entry's consumer and delivery
// count, what ShouldClaim needs; XAUTOCLAIM does not return them) and claims what is left
// with one XCLAIM carrying every id. XCLAIM's MIN-IDLE makes two consumers racing for an
// entry take it once. Entries this subscription holds itself are skipped: they are in hand,
// not idle.
func (sub *subscription) claimLoop() {
	ticker := time.NewTicker(sub.cfg.ClaimInterval)
	defer ticker.Stop()
	for {
		sub.claimIdle()
		select {
		case <-sub.stop:
			return
		case <-ticker.C:
		}
	}
}

func (sub *subscription) claimIdle() {
	// Acks gathered here go first: an entry done here must not look idle to anyone.
	if err := sub.acks.flush(); err != nil {
		return
	}
	start := "-"
	for !sub.stopped() {
		pending, err := sub.cfg.Client.XPendingExt(sub.ctx, &redis.XPendingExtArgs{
			Stream: sub.topic, Group: sub.cfg.ConsumerGroup, Idle: sub.cfg.ClaimIdle,
			Start: start, End: "+", Count: int64(sub.cfg.BatchSize),
		}).Result()
		if err != nil {
			if !sub.stopped() && !strings.HasPrefix(err.Error(), "NOGROUP") {
				sub.logger.Error("cannot list pending entries", err, nil)
			}
			return
		}
		ids := make([]string, 0, len(pending))
		for _, p := range pending {
			if p.Consumer == sub.cfg.Consumer && sub.holds(p.ID) {
				continue
			}
			if sub.cfg.ShouldClaim != nil && !sub.cfg.ShouldClaim(p) {
				continue
			}
			ids = append(ids, p.ID)
		}
		if len(ids) > 0 && !sub.claim(ids) {
			return
		}
		if len(pending) < sub.cfg.BatchSize {
			return
		}
		start = nextID(pending[len(pending)-1].ID)
	}
}

// claim takes ids over and hands them out; false when the subscription stopped or Redis
// failed.
func (sub *subscription) claim(ids []string) bool {
	entries, err := sub.cfg.Client.XClaim(sub.ctx, &redis.XClaimArgs{
		Stream: sub.topic, Group: sub.cfg.ConsumerGroup, Consumer: sub.cfg.Consumer,
		MinIdle: sub.cfg.ClaimIdle, Messages: ids,
	}).Result()
	if err != nil && err != redis.Nil {
		if !sub.stopped() {
			sub.logger.Error("cannot claim pending entries", err, watermill.LogFields{"entries": len(ids)})
		}
		return false
	}
	if len(entries) > 0 {
		sub.logger.Info("claimed pending entries of silent consumers", watermill.LogFields{"entries": len(entries)})
	}
	for _, e := range entries {
		if _, ok := sub.acquire(1); !ok {
			return false
		}
		if !sub.dispatch(e) {
			return false
		}
	}
	return true
}

// nextID is the smallest stream id after id ("ms-seq").
func nextID(id string) string {
	ms, seq, ok := strings.Cut(id, "-")
	n, err := strconv.ParseUint(seq, 10, 64)
	if !ok || err != nil {
		return id
	}
	return ms + "-" + strconv.FormatUint(n+1, 10)
}
