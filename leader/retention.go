package leader

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
)

// Retention trims the streams to topics.max_age (XTRIM MINID ~) every five minutes, on the
// leader, so Redis memory stays bounded by time as max_len bounds it by count.
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
	minID := fmt.Sprintf("%d-0", now.Add(-age).UnixMilli())
	for _, topic := range r.topics {
		n, err := r.rdb.XTrimMinIDApprox(ctx, topic, minID, 0).Result()
		if err != nil {
			r.logger.Warn("cannot trim stream", "topic", topic, "error", err.Error())
			continue
		}
		if n > 0 {
			r.logger.Info("stream trimmed", "topic", topic, "entries", n, "older_than", age.String())
		}
	}
}
