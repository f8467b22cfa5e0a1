package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"groupwatch/config"
	"groupwatch/store"
)

// ingestAndDrain publishes the --ingest file once the router runs, then, with --drain, waits
// for every group to catch up and stops the app: a file in, alerts out, exit.
func ingestAndDrain(lc fx.Lifecycle, sd fx.Shutdowner, cfg *config.Config, opts RunOptions, rdb redis.UniversalClient, r *Router, s *store.Store, logger *slog.Logger) {
	if opts.Ingest == "" && !opts.Drain {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				code := 0
				if opts.Ingest != "" {
					res, err := IngestFile(ctx, cfg, opts.Ingest, rdb, logger)
					if err != nil {
						logger.Error("ingest failed", "error", err.Error())
						_ = sd.Shutdown(fx.ExitCode(1))
						return
					}
					if len(res.Bad) > 0 {
						code = ExitBadInput
					}
				}
				if !opts.Drain {
					return
				}
				start := time.Now()
				err := WaitDrained(ctx, rdb, r.Subscriptions, 100*time.Millisecond, func(why string) {
					logger.Info("draining", "waiting_for", why)
				}, r.inflight.none, deliveriesDone(s))
				if errors.Is(err, ErrGroupPastEnd) {
					logger.Error("cannot drain", "error", err.Error())
					_ = sd.Shutdown(fx.ExitCode(1))
					return
				}
				if err != nil {
					return // stopped before drained: the app is already shutting down
				}
				logger.Info("drained: every consumer group has caught up", "took", time.Since(start).Round(time.Millisecond).String())
				_ = sd.Shutdown(fx.ExitCode(code))
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

// deliveriesDone holds when no delivery is pending or waiting for a retry: a batch run ends
// only when everything is sent or dead.
func deliveriesDone(s *store.Store) Check {
	return func(ctx context.Context) (bool, string, error) {
		n, err := s.UnfinishedDeliveries(ctx)
		if err != nil || n == 0 {
			return err == nil, "", err
		}
		return false, fmt.Sprintf("%d deliveries not yet sent (retries included)", n), nil
	}
}

// IngestFile publishes the JSON-lines file at path ("-" for stdin) to the raw topic, logging
// each bad line with its number and reason. Its publisher is the process's one kind
// (newPublisher), so the topic is trimmed to topics.max_len as every other publish trims it.
func IngestFile(ctx context.Context, cfg *config.Config, path string, rdb redis.UniversalClient, logger *slog.Logger) (IngestResult, error) {
	topic := TopicsOf(cfg).Raw()
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return IngestResult{}, fmt.Errorf("cannot open ingest file: %w", err)
		}
		defer f.Close()
		in = f
	}
	pub, err := newPublisher(cfg, rdb, logger)
	if err != nil {
		return IngestResult{}, err
	}
	res, err := Ingest(ctx, in, pub, topic, time.Now)
	for _, bad := range res.Bad {
		logger.Warn("bad input line skipped", "file", path, "line", bad.Line, "reason", bad.Err.Error())
	}
	logger.Info("ingested", "file", path, "published", res.Published, "bad_lines", len(res.Bad), "topic", topic)
	return res, err
}
