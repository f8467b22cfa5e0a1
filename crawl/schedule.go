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
// Redis, renewed while it lives and taken over once it lapses.
//
// A source has at most one job queued or running (Inflight): a tick that comes while its
// previous job is still in flight is skipped and counted (OnSkip), never queued, so a slow
// crawl stage gathers no backlog and no source is crawled twice at once. Of several ticks due
// at one step (a new leader looking back over its predecessor's last moments, a step that
// came late) only the newest is published. A tick is published once (Inflight records the
// last tick per source), so a second leader during a hand-over cannot double a crawl; the
// crawl_runs table guards it again. The leader also moves jobs put off for their pace
// (Delayed) back to crawl.jobs when they are due.
type Scheduler struct {
	Redis    redis.UniversalClient
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
	// OnSkip, if set, is told of every tick not published: n ticks of source, and why
	// ("in_flight": its previous job was still queued or running; "missed": an older tick
	// of several due at once).
	OnSkip func(source, reason string, n int)
	// InflightTTL bounds a source's hold on its one job in flight. Default
	// DefaultInflightTTL.
	InflightTTL time.Duration

	leader bool
	next   map[string]time.Time
}

// Schedule returns when a source's crawl after t is due.
func Schedule(s config.Source) (func(t time.Time) time.Time, error) {
	every := s.Every
	if every <= 0 {
		every = config.CronEvery(s.Cron) // "@every 5m" ticks like every: 5m
	}
	if every > 0 {
		d := every
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
		// A new leader looks back two lease times: the newest tick its predecessor may have
		// missed while it died is published now, unless it already was.
		s.next = map[string]time.Time{}
		for _, src := range s.Sources {
			next, err := Schedule(src)
			if err != nil {
				return err
			}
			s.next[src.Name] = next(now.Add(-2 * ttl))
		}
	}
	if err := s.publishDelayed(ctx, now); err != nil {
		return err
	}
	for _, src := range s.Sources {
		next, err := Schedule(src)
		if err != nil {
			return err
		}
		var due time.Time
		missed := 0
		for tick := s.next[src.Name]; !tick.After(now); tick = next(tick) {
			if !due.IsZero() {
				missed++
			}
			due = tick
		}
		if due.IsZero() {
			continue
		}
		if missed > 0 {
			s.skip(src.Name, "missed", missed)
		}
		if err := s.publishOnce(ctx, Job{V: 1, ID: JobID(src.Name, due), Source: src.Name, Tick: due}); err != nil {
			return err
		}
		s.next[src.Name] = next(due)
	}
	return nil
}

// publishOnce publishes a job unless its tick was published already or its source's
// previous job is still in flight. A failed publish gives the claim back, so the next step
// tries again.
func (s *Scheduler) publishOnce(ctx context.Context, job Job) error {
	claim, undo, err := s.inflight().Take(ctx, job)
	if err != nil {
		return err
	}
	switch claim {
	case TakeDone:
		return nil
	case TakeBusy:
		s.skip(job.Source, "in_flight", 1)
		return nil
	}
	if err := s.Publish(ctx, job); err != nil {
		undo(context.WithoutCancel(ctx))
		return fmt.Errorf("cannot publish job %s: %w", job.ID, err)
	}
	s.Logger.Info("crawl job published", "job", job.ID, "source", job.Source)
	return nil
}

// publishDelayed moves the jobs put off for their pace, now due, back to crawl.jobs.
func (s *Scheduler) publishDelayed(ctx context.Context, now time.Time) error {
	q := DelayQueue{Redis: s.Redis, Prefix: s.Prefix}
	jobs, err := q.Due(ctx, now, 1000)
	for _, job := range jobs {
		if perr := s.Publish(ctx, job); perr != nil {
			// Back on the queue, due at once: the next step tries again.
			if aerr := q.Add(context.WithoutCancel(ctx), job, now); aerr != nil {
				return fmt.Errorf("cannot publish put-off job %s (%v) nor put it back: %w", job.ID, perr, aerr)
			}
			return fmt.Errorf("cannot publish put-off job %s: %w", job.ID, perr)
		}
	}
	return err
}

func (s *Scheduler) skip(source, reason string, n int) {
	if s.OnSkip != nil {
		s.OnSkip(source, reason, n)
	}
}

func (s *Scheduler) inflight() Inflight {
	return Inflight{Redis: s.Redis, Prefix: s.Prefix, TTL: s.InflightTTL}
}

func (s *Scheduler) leaseKey() string { return s.Prefix + "scheduler.lease" }

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
