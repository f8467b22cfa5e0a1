package crawl

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
)

// Scheduler publishes each source's crawl jobs on its schedule (Celery beat's job). Any
// number of processes run one; exactly one is active at a time: the holder of a lease in
// Redis, renewed while it lives and taken over once it lapses. A job's id is its source and
// tick and is published only if its key could be set once (SET NX), so a second leader during
// a hand-over cannot double a crawl; the crawl_runs table guards it again.
type Scheduler struct {
	Redis    *redis.Client
	Prefix   string // key prefix, the topics' prefix
	Instance string
	// LeaseTTL is how long a leader that stopped renewing keeps the lease. Default 15s.
	LeaseTTL time.Duration
	// Interval between looks at the schedules. Default 1s.
	Interval time.Duration
	Sources  []config.Source
	Publish  func(ctx context.Context, job Job) error
	Logger   *slog.Logger
	Now      func() time.Time
	// OnLeaderStep, if set, runs at every step while this scheduler leads: work that one
	// process should do for all (the quiet-source watch).
	OnLeaderStep func(ctx context.Context)

	leader bool
	next   map[string]time.Time
}

// Schedule returns when a source's crawl after t is due.
func Schedule(s config.Source) (func(t time.Time) time.Time, error) {
	if s.Every > 0 {
		d := s.Every
		// Aligned to multiples of d since the epoch, so every scheduler computes the same
		// ticks and their ids agree.
		return func(t time.Time) time.Time { return t.Truncate(d).Add(d) }, nil
	}
	sched, err := config.CronParser.Parse(s.Cron)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", s.Name, err)
	}
	return func(t time.Time) time.Time { return sched.Next(t.UTC()) }, nil
}

var renewScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

// Run schedules until ctx ends, then gives up the lease so another process takes over at once.
func (s *Scheduler) Run(ctx context.Context) error {
	interval := s.Interval
	if interval <= 0 {
		interval = time.Second
	}
	defer func() {
		if s.leader {
			release := context.WithoutCancel(ctx)
			_ = s.Redis.Eval(release, `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`,
				[]string{s.leaseKey()}, s.Instance).Err()
		}
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.Step(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("scheduler step failed", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Step takes or renews the lease and, as leader, publishes every job that is due.
func (s *Scheduler) Step(ctx context.Context) error {
	ttl := s.LeaseTTL
	if ttl <= 0 {
		ttl = 15 * time.Second
	}
	was := s.leader
	if s.leader {
		n, err := renewScript.Run(ctx, s.Redis, []string{s.leaseKey()}, s.Instance, ttl.Milliseconds()).Int()
		s.leader = err == nil && n == 1
		if err != nil {
			return fmt.Errorf("cannot renew scheduler lease: %w", err)
		}
	} else {
		ok, err := s.Redis.SetNX(ctx, s.leaseKey(), s.Instance, ttl).Result()
		if err != nil {
			return fmt.Errorf("cannot take scheduler lease: %w", err)
		}
		s.leader = ok
	}
	if s.leader != was {
		s.Logger.Info("scheduler leadership changed", "leader", s.leader, "instance", s.Instance)
		s.next = nil
	}
	if !s.leader {
		return nil
	}
	now := s.now()
	if s.next == nil {
		// A new leader looks back two lease times: ticks its predecessor may have missed
		// while it died are published now, unless their keys say they already were.
		s.next = map[string]time.Time{}
		for _, src := range s.Sources {
			next, err := Schedule(src)
			if err != nil {
				return err
			}
			s.next[src.Name] = next(now.Add(-2 * ttl))
		}
	}
	if s.OnLeaderStep != nil {
		s.OnLeaderStep(ctx)
	}
	for _, src := range s.Sources {
		next, err := Schedule(src)
		if err != nil {
			return err
		}
		for tick := s.next[src.Name]; !tick.After(now); tick = next(tick) {
			if err := s.publishOnce(ctx, Job{V: 1, ID: JobID(src.Name, tick), Source: src.Name, Tick: tick}); err != nil {
				return err
			}
			s.next[src.Name] = next(tick)
		}
	}
	return nil
}

// publishOnce publishes a job unless its key says it was published already. A failed
// publish frees the key, so the next step tries again.
func (s *Scheduler) publishOnce(ctx context.Context, job Job) error {
	key := s.Prefix + "crawl.job." + job.ID
	fresh, err := s.Redis.SetNX(ctx, key, s.Instance, 7*24*time.Hour).Result()
	if err != nil {
		return fmt.Errorf("cannot mark job %s: %w", job.ID, err)
	}
	if !fresh {
		return nil
	}
	if err := s.Publish(ctx, job); err != nil {
		s.Redis.Del(context.WithoutCancel(ctx), key)
		return fmt.Errorf("cannot publish job %s: %w", job.ID, err)
	}
	s.Logger.Info("crawl job published", "job", job.ID, "source", job.Source)
	return nil
}

func (s *Scheduler) leaseKey() string { return s.Prefix + "scheduler.lease" }

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
