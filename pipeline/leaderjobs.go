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

// runLeaderJobs runs the quiet-source watch, digests and the daily ETL (with evaluate) and
// stream trimming on the holder of the leader lease, apart from the crawl scheduler's lease:
// a daily ETL pass that takes minutes neither delays crawl ticks nor outlives its lease.
func runLeaderJobs(lc fx.Lifecycle, cfg *config.Config, opts RunOptions, rdb *redis.Client, pub message.Publisher, s *store.Store, rules Rules, prefix string, logger *slog.Logger) {
	quiet := newQuietWatch(cfg, s, pub, logger)
	digests := newDigestWatch(cfg, s, pub, rules, logger)
	etl := &dailyETL{cfg: cfg, store: s, rules: rules, logger: logger.With("component", "daily-etl"), now: time.Now}
	trim := &retention{cfg: cfg, rdb: rdb, logger: logger.With("component", "retention")}
	jobs := &leader.Jobs{
		Lease:  leader.Lease{Redis: rdb, Key: prefix + "leader.lease", Instance: opts.Instance},
		Logger: logger.With("component", "leader"),
		Step: func(ctx context.Context) {
			if runs(opts, config.StageEvaluate) {
				quiet.step(ctx)
				digests.step(ctx)
				etl.step(ctx)
			}
			trim.step(ctx)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				if err := jobs.Run(ctx); err != nil {
					logger.Error("leader jobs stopped", "error", err.Error())
				}
			}()
			return nil
		},
		OnStop: func(context.Context) error {
			cancel()
			<-done
			return nil
		},
	})
}
