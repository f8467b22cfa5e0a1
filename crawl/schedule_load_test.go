package crawl_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/internal/testenv"
)

// simClock is the scheduler's clock in a simulation: time moves only when the test says.
type simClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// 300 sources every second, a crawl stage of 4 consumers whose crawls take 3 to 5 simulated
// seconds, for 60 simulated seconds: every source is crawled, the queue never holds more
// than one job per source, no source is crawled twice at once, and the ticks that found
// their source busy are counted.
func TestSchedulerManySourcesNoPileUp(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	const nSources, consumers = 300, 4
	var srcs []config.Source
	for i := range nSources {
		srcs = append(srcs, config.Source{Name: fmt.Sprintf("s%03d", i), Every: time.Second})
	}
	clock := &simClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	var queue []crawl.Job
	skipped := map[string]int{}
	sched := &crawl.Scheduler{
		Redis: rdb, Prefix: env.Prefix + ".", Instance: "a", Sources: srcs, Now: clock.Now,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Publish: func(_ context.Context, j crawl.Job) error { queue = append(queue, j); return nil },
		OnSkip:  func(_, reason string, n int) { skipped[reason] += n },
	}
	inflight := crawl.Inflight{Redis: rdb, Prefix: env.Prefix + "."}
	type crawling struct {
		job  crawl.Job
		done time.Time
	}
	var running []crawling
	crawled := map[string]int{}
	maxQueue := 0
	ctx := context.Background()
	for step := 0; step < 60; step++ {
		if err := sched.Step(ctx); err != nil {
			t.Fatal(err)
		}
		maxQueue = max(maxQueue, len(queue))
		perSource := map[string]int{}
		for _, j := range queue {
			if perSource[j.Source]++; perSource[j.Source] > 1 {
				t.Fatalf("step %d: two jobs of %s queued", step, j.Source)
			}
		}
		for _, r := range running {
			if perSource[r.job.Source] > 0 {
				t.Fatalf("step %d: %s queued while it is crawled", step, r.job.Source)
			}
		}
		// The crawl stage: finish what is done, then take jobs while consumers are free.
		now := clock.Now()
		still := running[:0]
		for _, r := range running {
			if !r.done.After(now) {
				crawled[r.job.Source]++
				if err := inflight.Release(ctx, r.job); err != nil {
					t.Fatal(err)
				}
				continue
			}
			still = append(still, r)
		}
		running = still
		for len(running) < consumers && len(queue) > 0 {
			j := queue[0]
			queue = queue[1:]
			running = append(running, crawling{j, now.Add(time.Duration(3+len(j.Source)%3) * time.Second)})
		}
		clock.advance(time.Second)
	}
	t.Logf("%d sources every 1 s for 60 s: at most %d jobs queued, %d sources crawled, skipped %v", nSources, maxQueue, len(crawled), skipped)
	if len(queue) > nSources || maxQueue > nSources {
		t.Fatalf("queue grew to %d jobs for %d sources", maxQueue, nSources)
	}
	// 4 consumers × 60 s / ~4 s a crawl ≈ 60 crawls: the queue is first come, first served,
	// so the crawled sources are the oldest jobs (each a different source), and the rest wait
	// their turn, each with one job queued, not 60.
	if len(crawled) < 50 {
		t.Fatalf("only %d sources crawled", len(crawled))
	}
	if skipped["in_flight"] == 0 {
		t.Fatal("no tick counted as skipped although every source's job stayed queued")
	}
}

// With enough consumers, every source is crawled, again and again, never twice at once.
func TestSchedulerEverySourceCrawled(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	var srcs []config.Source
	for i := range 50 {
		srcs = append(srcs, config.Source{Name: fmt.Sprintf("s%02d", i), Every: time.Second})
	}
	clock := &simClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	inflight := crawl.Inflight{Redis: rdb, Prefix: env.Prefix + "."}
	var queue []crawl.Job
	sched := &crawl.Scheduler{
		Redis: rdb, Prefix: env.Prefix + ".", Instance: "a", Sources: srcs, Now: clock.Now,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Publish: func(_ context.Context, j crawl.Job) error { queue = append(queue, j); return nil },
	}
	ctx := context.Background()
	crawled := map[string]int{}
	for step := 0; step < 30; step++ {
		if err := sched.Step(ctx); err != nil {
			t.Fatal(err)
		}
		if len(queue) > len(srcs) {
			t.Fatalf("step %d: %d jobs queued for %d sources", step, len(queue), len(srcs))
		}
		// 25 consumers, crawls of two seconds: half the sources each second.
		n := min(25, len(queue))
		for _, j := range queue[:n] {
			crawled[j.Source]++
			if err := inflight.Release(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		queue = queue[n:]
		clock.advance(time.Second)
	}
	for _, s := range srcs {
		if crawled[s.Name] < 5 {
			t.Errorf("%s crawled %d times in 30 s", s.Name, crawled[s.Name])
		}
	}
}

// A new leader publishes only the newest of the ticks its predecessor missed, and a tick
// once published is not published again.
func TestSchedulerLookBackPublishesTheNewestMissedTick(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	clock := &simClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	var jobs []crawl.Job
	skipped := 0
	newSched := func(name string) *crawl.Scheduler {
		return &crawl.Scheduler{
			Redis: rdb, Prefix: env.Prefix + ".", Instance: name, Now: clock.Now, LeaseTTL: 15 * time.Second,
			Sources: []config.Source{{Name: "a", Every: time.Second}, {Name: "b", Every: time.Minute}},
			Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
			Publish: func(_ context.Context, j crawl.Job) error { jobs = append(jobs, j); return nil },
			OnSkip:  func(_, reason string, n int) { skipped += n },
		}
	}
	ctx := context.Background()
	if err := newSched("a").Step(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{crawl.JobID("a", clock.Now()), crawl.JobID("b", clock.Now())}
	if len(jobs) != 2 || jobs[0].ID != want[0] || jobs[1].ID != want[1] {
		t.Fatalf("published %+v, want %v", jobs, want)
	}
	if skipped != 29 {
		t.Fatalf("%d ticks skipped, want the 29 older ticks of a in the 30 s looked back", skipped)
	}
	// A second leader (the lease handed over) at the same moment publishes nothing again.
	rdb.Del(ctx, env.Prefix+".scheduler.lease")
	rdb.Del(ctx, env.Prefix+".crawl.inflight.a", env.Prefix+".crawl.inflight.b")
	if err := newSched("b").Step(ctx); err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 {
		t.Fatalf("the new leader published %+v again", jobs[2:])
	}
}

// A job put off for its pace goes back to crawl.jobs when it is due, through the leader.
func TestSchedulerPublishesPutOffJobsWhenDue(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	clock := &simClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	var jobs []crawl.Job
	sched := &crawl.Scheduler{
		Redis: rdb, Prefix: env.Prefix + ".", Instance: "a", Now: clock.Now,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Publish: func(_ context.Context, j crawl.Job) error { jobs = append(jobs, j); return nil },
	}
	ctx := context.Background()
	q := crawl.DelayQueue{Redis: rdb, Prefix: env.Prefix + "."}
	job := crawl.Job{V: 1, ID: "slow@1", Source: "slow", Tick: clock.Now()}
	if err := q.Add(ctx, job, clock.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if err := sched.Step(ctx); err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 0 {
			t.Fatalf("published %d s early", 5-i)
		}
		clock.advance(time.Second)
	}
	if err := sched.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != job.ID {
		t.Fatalf("published %+v", jobs)
	}
	if n, _ := q.Len(ctx); n != 0 {
		t.Fatalf("%d jobs left put off", n)
	}
}
