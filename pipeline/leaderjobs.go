package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"groupwatch/config"
	"groupwatch/leader"
	"groupwatch/store"
)

// runLeaderJobs runs the quiet-source watch, digests and the daily ETL (with evaluate), the
// retention purge and stream trimming on the holder of the leader lease, apart from the crawl
// scheduler's lease:
// a daily ETL pass that takes minutes neither delays crawl ticks nor outlives its lease.
func runLeaderJobs(lc fx.Lifecycle, cfg *config.Config, opts RunOptions, rdb redis.UniversalClient, pub message.Publisher, s *store.Store, rules Rules, m *Metrics, prefix string, logger *slog.Logger) {
	t := TopicsOf(cfg)
	publish := func(topic string, payload any, correlationID string, receivedAt time.Time) error {
		m, err := newMessage(payload, nil)
		if err != nil {
			return err
		}
		m.Metadata.Set(MetaCorrelationID, correlationID)
		if !receivedAt.IsZero() {
			m.Metadata.Set(MetaReceivedAt, receivedAt.UTC().Format(time.RFC3339Nano))
		}
		return pub.Publish(topic, m)
	}
	quiet := leader.NewQuietWatch(cfg, s, publish, t.SourcesHealth(), logger)
	digests := leader.NewDigests(cfg, s, publish, t.Alerts(), rules.IDs, logger)
	etl := leader.NewDailyETL(cfg, s, rules.IDs, logger)
	purge := leader.NewPurge(cfg, s, logger)
	purge.OnRemoved = func(table string, n int64) { m.PurgedRows.WithLabelValues(table).Add(float64(n)) }
	trim := leader.NewRetention(cfg, rdb, t.AllStreams(), logger)
	jobs := &leader.Jobs{
		Lease:  leader.Lease{Redis: rdb, Key: prefix + "leader.lease", Instance: opts.Instance},
		Logger: logger.With("component", "leader"),
		Step: func(ctx context.Context) {
			if runs(opts, config.StageEvaluate) {
				quiet.Step(ctx)
				digests.Step(ctx)
				etl.Step(ctx)
			}
			purge.Step(ctx)
			trim.Step(ctx)
		},
	}
	runInBackground(lc, "leader jobs", logger, jobs.Run)
}
