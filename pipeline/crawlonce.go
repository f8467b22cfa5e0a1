package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/store"
)

// CrawlOnce crawls one configured source now, as its scheduled job would, for `pipeline
// crawl`. With real servers it syncs the sources table, asks MySQL which posts are known and,
// unless dryRun, publishes new posts through the process's one kind of publisher
// (newPublisher) and records the run. On the embedded default (no servers) only a dry run
// makes sense: it runs without state, publisher or Redis. A paused source, or one that needs
// new cookies, is crawled all the same.
func CrawlOnce(ctx context.Context, cfg *config.Config, source string, dryRun bool, now time.Time, logger *slog.Logger) (crawl.Result, error) {
	var state crawl.State
	var pub message.Publisher
	var rdb redis.UniversalClient
	if !cfg.Embedded() {
		db, err := store.Open(ctx, cfg.MySQL.DSN, 2)
		if err != nil {
			return crawl.Result{}, err
		}
		defer db.Close()
		s := store.New(db, store.Options{})
		defer s.Close()
		if err := s.SyncSources(ctx, cfg.Sources); err != nil {
			return crawl.Result{}, err
		}
		state = s
		if rdb, err = OpenRedis(ctx, cfg.Redis.URL, 4); err != nil {
			return crawl.Result{}, err
		}
		defer rdb.Close()
		if !dryRun {
			if pub, err = newPublisher(cfg, rdb, logger); err != nil {
				return crawl.Result{}, err
			}
			defer pub.Close()
		}
	}
	crawlers, err := NewCrawlers(cfg, state, pub, rdb, logger)
	if err != nil {
		return crawl.Result{}, err
	}
	defer crawlers.Close() // kills the browser of a fetch: browser source
	runner, err := crawlers.Runner(source, dryRun, true)
	if err != nil {
		return crawl.Result{}, err
	}
	job := crawl.Job{V: 1, ID: source + "@manual-" + now.UTC().Format("2006-01-02T15:04:05.000Z"), Source: source, Tick: now}
	if crawlers.jobs != nil && !dryRun {
		// A manual crawl holds its source like a scheduled job, so the two never crawl it
		// at once (and write its cursor in turn); the scheduler skips its ticks meanwhile.
		inflight := crawlers.jobs.inflight
		heldBy, err := inflight.Hold(ctx, job)
		if err != nil {
			return crawl.Result{}, err
		}
		if heldBy != "" {
			return crawl.Result{}, fmt.Errorf("%w: source %s, job %s; try again when it has finished", ErrCrawlInFlight, source, heldBy)
		}
		defer func() {
			if err := inflight.Release(context.WithoutCancel(ctx), job); err != nil {
				logger.Warn("cannot free the source after a manual crawl; the scheduler skips it until the hold expires",
					"source", source, "expires_in", crawl.DefaultInflightTTL.String(), "error", err)
			}
		}()
	}
	return runner.Run(ctx, job)
}

// ErrCrawlInFlight: the source has a crawl job queued or running already.
var ErrCrawlInFlight = errors.New("a crawl of this source is queued or running")
