package leader

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
)

// Retention trims the streams by age (topics.max_age, default 7 days) every five minutes, on
// the leader, so Redis memory stays bounded by time while MySQL keeps the posts. It never
// trims an entry a consumer group has not read or has not acked (SafeTrimPoint): a group
// that lags holds its stream back instead of losing entries.
type Retention struct {
	cfg    *config.Config
	rdb    redis.UniversalClient
	topics []string
	logger *slog.Logger
	now    func() time.Time

	lastLook time.Time
}

// NewRetention trims the streams of topics (their full names).
func NewRetention(cfg *config.Config, rdb redis.UniversalClient, topics []string, logger *slog.Logger) *Retention {
	return &Retention{cfg: cfg, rdb: rdb, topics: topics, logger: logger.With("component", "retention"), now: time.Now}
}

// Step trims the streams if five minutes have passed since it last did.
func (r *Retention) Step(ctx context.Context) {
	age := r.cfg.Topics.MaxAge
	now := r.now()
	if age <= 0 || now.Sub(r.lastLook) < 5*time.Minute {
		return
	}
	r.lastLook = now
	for _, topic := range r.topics {
		tp, err := SafeTrimPoint(ctx, r.rdb, topic, now.Add(-age))
		if err != nil {
			r.logger.Warn("cannot trim stream", "topic", topic, "error", err.Error())
			continue
		}
		if tp.HeldBy != "" {
			r.logger.Debug("stream trimming held back by a group", "topic", topic, "group", tp.HeldBy, "holds", tp.HeldFor, "min_id", tp.MinID)
		}
		if tp.MinID == "0-0" {
			continue
		}
		// Approximate (~): Redis drops whole nodes only, never an entry at or above MinID.
		n, err := r.rdb.XTrimMinIDApprox(ctx, topic, tp.MinID, 0).Result()
		if err != nil {
			r.logger.Warn("cannot trim stream", "topic", topic, "error", err.Error())
			continue
		}
		if n > 0 {
			r.logger.Info("stream trimmed", "topic", topic, "entries", n, "older_than", age.String(), "held_by", tp.HeldBy)
		}
	}
}
