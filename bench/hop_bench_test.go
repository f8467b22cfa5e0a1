package bench

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/pipeline"
	"groupwatch/query"
	"groupwatch/streams"
)

// BenchmarkHop runs one stream hop at a time through the real router, middleware and
// streams package, with a store that does nothing, so that what is measured is the hop:
// read, decode, handle, encode, publish, ack.
//
//   - normalize: posts.raw (the same entries as BenchmarkBaselineRedisStream) to
//     posts.normalized; every post is new.
//   - match: the posts.normalized entries normalize just wrote, to posts.matched (1% match).
//
// Entries are written before the router starts; msgs/s runs from its start until its
// consumer group has read and acked every entry. Compare with BenchmarkBaselineRedisStream
// of the same run (raw go-redis, XREADGROUP COUNT 100 and one XACK per read, no handler);
// the target is at least half of it.
func BenchmarkHop(b *testing.B) {
	skipUnlessReal(b)
	n := intKnob(b, *postsFlag, envPosts, 100_000)
	entries, _ := streamEntries(b, cachedPosts(b, n))
	for range b.N {
		b.StopTimer()
		env := realEnv(b)
		cfg, err := benchConfig(env, nil, filepath.Join(b.TempDir(), "alerts.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		rdb := env.Redis(b)
		topics := pipeline.NewTopics(cfg.Topics.Prefix)
		if err := produce(context.Background(), rdb, topics.Raw(), entries); err != nil {
			b.Fatal(err)
		}
		b.Run("normalize", func(b *testing.B) {
			runHop(b, cfg, rdb, config.StageNormalize, topics.Raw(), n)
		})
		b.Run("match", func(b *testing.B) {
			normalized, err := rdb.XLen(context.Background(), topics.Normalized()).Result()
			if err != nil || normalized != int64(n) {
				b.Fatalf("posts.normalized holds %d entries (%v), want %d: run the normalize hop first", normalized, err, n)
			}
			runHop(b, cfg, rdb, config.StageMatch, topics.Normalized(), n)
		})
	}
}

// runHop runs the router with the one stage until its group has caught up with n entries.
func runHop(b *testing.B, cfg *config.Config, rdb *redis.Client, stage, topic string, n int) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	matcher, ruleIDs, err := hopRules(cfg)
	if err != nil {
		b.Fatal(err)
	}
	pub, err := streams.NewPublisher(streams.PublisherConfig{Client: rdb}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	store := &noopStore{}
	r, err := pipeline.NewRouter(pipeline.RouterDeps{
		Config: cfg, Logger: logger, Redis: rdb, Publisher: pub, Metrics: pipeline.NewMetrics(), Instance: "hop",
		Runs:      func(s string) bool { return s == stage },
		Normalize: handlers.Normalize{Store: store},
		Match:     handlers.Match{Matcher: matcher, RuleIDs: ruleIDs, Store: store},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cpuStart := readCPU(ctx, rdb, nil)
	start := time.Now()
	go func() { _ = r.Run(context.Background()) }()
	<-r.Running()
	subs := []pipeline.Subscription{{Stage: stage, Topic: topic}}
	if err := pipeline.WaitDrained(ctx, rdb, subs, 5*time.Millisecond, nil); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	cpu := readCPU(ctx, rdb, nil).sub(cpuStart)
	stopCtx, stopCancel := context.WithTimeout(context.Background(), time.Minute)
	defer stopCancel()
	if err := r.Stop(stopCtx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
	cpu.report(b, n, "msg", elapsed)
	hopResults.Store(stage, float64(n)/elapsed.Seconds())
}

// hopRules is the matcher of the benchmark's rules, and made-up rule ids.
func hopRules(cfg *config.Config) (*query.Matcher, map[string]int64, error) {
	m, err := compileRules()
	ids := map[string]int64{}
	for i, r := range cfg.Rules {
		ids[r.Name] = int64(i + 1)
	}
	return m, ids, err
}

// noopStore stores nothing: every post is new, every match accepted.
type noopStore struct{ next atomic.Int64 }

func (s *noopStore) SavePost(context.Context, handlers.PostRecord) (handlers.SavedPost, error) {
	return handlers.SavedPost{ID: s.next.Add(1), Outcome: handlers.OutcomeNew}, nil
}

func (s *noopStore) SaveMatch(context.Context, int64, int64, []string) error { return nil }
