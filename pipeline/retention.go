package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
)

// retention trims the streams to topics.max_age (XTRIM MINID ~) every five minutes, on the
// scheduler's leader, so Redis memory stays bounded by time as max_len bounds it by count.
type retention struct {
	cfg    *config.Config
	rdb    *redis.Client
	logger *slog.Logger

	lastLook time.Time
}

func (r *retention) step(ctx context.Context) {
	age := r.cfg.Topics.MaxAge
	now := time.Now()
	if age <= 0 || now.Sub(r.lastLook) < 5*time.Minute {
		return
	}
	r.lastLook = now
	minID := fmt.Sprintf("%d-0", now.Add(-age).UnixMilli())
	t := NewTopics(r.cfg.Topics.Prefix)
	for _, topic := range []string{t.CrawlJobs(), t.Raw(), t.Normalized(), t.Matched(), t.Alerts(), t.SourcesHealth()} {
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
