package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/pipeline"
)

// runTimeout bounds one end-to-end run, publish to drained: far above any healthy run, low
// enough that a stalled pipeline fails the benchmark instead of the whole test binary.
const runTimeout = 10 * time.Minute

// BenchmarkEndToEnd runs the real fx app (pipeline.NewRunApp, as `pipeline run` builds it) on
// real Redis and MariaDB, publishes generated posts to posts.raw and waits until every
// consumer group has caught up, then checks that exactly the expected alerts were stored.
//
//   - burst publishes all posts (default 100,000) at once: posts/s is the pipeline's
//     throughput; its latencies are mostly time spent queued behind earlier posts.
//   - paced publishes at a steady rate (default 2,500 posts/s, for 10 s): latencies are
//     those of a pipeline that keeps up.
//
// Each b.N iteration is one whole run on a fresh database and topic prefix; run it with
// -benchtime 1x. ns/op is the time from first publish to drained.
func BenchmarkEndToEnd(b *testing.B) {
	skipUnlessReal(b)
	n := intKnob(b, *postsFlag, envPosts, 100_000)
	rate := intKnob(b, *rateFlag, envRate, 2500)
	consumers := consumersKnob(b)
	posts := cachedPosts(b, n)
	b.Run("burst", func(b *testing.B) {
		runEndToEnd(b, posts, consumers, 0)
	})
	b.Run("paced", func(b *testing.B) {
		runEndToEnd(b, posts[:min(n, 10*rate)], consumers, rate)
	})
}

// runEndToEnd runs the pipeline b.N times over posts and reports throughput and latency over
// all runs. rate 0 publishes in one burst.
func runEndToEnd(b *testing.B, posts []benchPost, consumers map[string]int, rate int) {
	want, err := expectedAlerts(posts)
	if err != nil {
		b.Fatal(err)
	}
	var elapsed time.Duration
	var latencies []time.Duration
	var cpu cpuTimes
	for range b.N {
		r := endToEndOnce(b, posts, want, consumers, rate)
		elapsed += r.elapsed
		latencies = append(latencies, r.latencies...)
		cpu = cpu.add(r.cpu)
	}
	p50, p99, worst := latencyMS(latencies)
	b.ReportMetric(float64(len(posts)*b.N)/elapsed.Seconds(), "posts/s")
	if rate == 0 {
		record(resultBurst, float64(len(posts)*b.N)/elapsed.Seconds())
	} else {
		record(resultPacedRate, float64(rate))
		record(resultPaced, float64(len(posts)*b.N)/elapsed.Seconds())
		record(resultPacedP99, p99)
	}
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(worst, "max-ms")
	cpu.report(b, len(posts)*b.N, "post", elapsed)
	// The whole test process's peak so far, the generated posts and earlier benchmarks
	// included: an upper bound of the pipeline's.
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
	}
}

type runResult struct {
	elapsed   time.Duration
	latencies []time.Duration
	cpu       cpuTimes // from first publish to drained
}

// endToEndOnce is one run on a fresh environment. The benchmark timer runs only from the
// first publish to drained.
func endToEndOnce(b *testing.B, posts []benchPost, wantAlerts int, consumers map[string]int, rate int) runResult {
	b.StopTimer()
	env := realEnv(b)
	cfg, err := benchConfig(env, consumers, filepath.Join(b.TempDir(), "alerts.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	logs := &logTail{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app := pipeline.NewRunApp(cfg, pipeline.RunOptions{Instance: "bench", Stdout: io.Discard}, logger)
	if err := app.Err(); err != nil {
		b.Fatal(err)
	}
	startCtx, cancelStart := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancelStart()
	if err := app.Start(startCtx); err != nil {
		b.Fatalf("cannot start the pipeline: %v\n%s", err, logs)
	}
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), app.StopTimeout())
			defer cancel()
			if err := app.Stop(ctx); err != nil {
				b.Errorf("cannot stop the pipeline: %v", err)
			}
		})
	}
	defer stop()

	rdb := env.Redis(b)
	db := env.DB(b)
	topics := pipeline.NewTopics(cfg.Topics.Prefix)
	pub := rawPublisher{rdb: rdb, topic: topics.Raw()}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	sent := make([]time.Time, len(posts))

	cpuStart := readCPU(ctx, rdb, db)
	b.StartTimer()
	start := time.Now()
	if rate > 0 {
		err = pub.paced(ctx, posts, sent, rate)
	} else {
		err = pub.burst(ctx, posts, sent)
	}
	if err != nil {
		b.Fatal(err)
	}
	published := time.Since(start)
	err = pipeline.WaitDrained(ctx, rdb, subscriptions(topics), 20*time.Millisecond, nil)
	elapsed := time.Since(start)
	b.StopTimer()
	cpu := readCPU(ctx, rdb, db).sub(cpuStart)
	if err != nil {
		_, why, _ := pipeline.CaughtUp(context.Background(), rdb, subscriptions(topics))
		b.Fatalf("pipeline not drained after %s (%s): %v\n%s", elapsed, why, err, logs)
	}
	stop()

	o, err := readOutcome(context.Background(), db, rdb, topics, sent)
	if err != nil {
		b.Fatal(err)
	}
	if err := o.check(len(posts), wantAlerts); err != nil {
		b.Fatalf("wrong result: %v\n%s", err, logs)
	}
	if s := logs.String(); s != "" {
		b.Log(s)
	}
	b.Logf("%d posts, %d alerts, consumers %s: published in %s, drained in %s",
		len(posts), o.alerts, consumersString(cfg), published.Round(time.Millisecond), elapsed.Round(time.Millisecond))
	return runResult{elapsed: elapsed, latencies: o.latencies, cpu: cpu}
}

// subscriptions are the router's consumer groups in pipeline order, as pipeline.NewRouter
// names them for a configuration with one file sink. A name that drifts from the router's
// shows as a group never created, and the run fails rather than reporting too early.
func subscriptions(t pipeline.Topics) []pipeline.Subscription {
	return []pipeline.Subscription{
		{Stage: config.StageNormalize, Topic: t.Raw()},
		{Stage: config.StageMatch, Topic: t.Normalized()},
		{Stage: config.StageEvaluate, Topic: t.Matched()},
		{Stage: config.StageNotify + "." + config.SinkFile, Topic: t.Alerts()},
	}
}

var (
	postsMu    sync.Mutex
	postsCache = map[int][]benchPost{}
)

// cachedPosts generates n posts once per test binary and checks them against the matcher:
// every benchmark in a run works on the same data.
func cachedPosts(b *testing.B, n int) []benchPost {
	b.Helper()
	postsMu.Lock()
	defer postsMu.Unlock()
	if p, ok := postsCache[n]; ok {
		return p
	}
	posts, err := generatePosts(n)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := expectedAlerts(posts); err != nil {
		b.Fatal(fmt.Errorf("the generated workload is not as designed: %w", err))
	}
	postsCache[n] = posts
	return posts
}
