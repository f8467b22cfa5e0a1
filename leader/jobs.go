package leader

import (
	"context"
	"log/slog"
	"time"
)

// Jobs runs Step every Interval while this instance holds Lease. Two loops run apart: one
// takes and renews the lease every TTL/3, the other runs the jobs in a goroutine of their
// own with a context that ends when the lease is lost (renewal refused, or Redis unreachable
// so the lease may lapse unseen). A step that outlives the lease's TTL therefore neither
// loses the lease nor shares it: renewal does not wait for it.
type Jobs struct {
	Lease Lease
	// Interval between steps while leading. Default 1s.
	Interval time.Duration
	// Step runs the leader's jobs once; each job keeps its own pace (once a minute, once a
	// day) and must return soon after ctx ends.
	Step   func(ctx context.Context)
	Logger *slog.Logger
}

// Run leads whenever it can until ctx ends, then stops the jobs, waits for them and gives
// the lease up so another process takes over at once.
func (j *Jobs) Run(ctx context.Context) error {
	renewEvery := j.Lease.ttl() / 3
	t := time.NewTicker(renewEvery)
	defer t.Stop()
	var jobs *running
	defer func() {
		if jobs != nil {
			jobs.stop()
			if err := j.Lease.Release(context.WithoutCancel(ctx)); err != nil {
				j.Logger.Warn("cannot give the leader lease up; another process takes over once it lapses", "error", err.Error())
			}
		}
	}()
	for {
		leading := jobs != nil
		var held bool
		var err error
		if leading {
			held, err = j.Lease.Renew(ctx)
		} else {
			held, err = j.Lease.Take(ctx)
		}
		if err != nil && ctx.Err() == nil {
			// Unknown whether the lease still holds: stop the jobs rather than risk two leaders.
			j.Logger.Warn("leader lease check failed", "error", err.Error())
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case held && !leading:
			j.Logger.Info("leadership taken", "instance", j.Lease.Instance)
			jobs = j.start(ctx)
		case !held && leading:
			j.Logger.Info("leadership lost: stopping the leader's jobs", "instance", j.Lease.Instance)
			jobs.stop()
			jobs = nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// running is the jobs' goroutine while leading.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// stop ends the jobs' context and waits for the step in hand to return.
func (r *running) stop() {
	r.cancel()
	<-r.done
}

func (j *Jobs) start(ctx context.Context) *running {
	jobCtx, cancel := context.WithCancel(ctx)
	r := &running{cancel: cancel, done: make(chan struct{})}
	go j.loop(jobCtx, r.done)
	return r
}

// loop steps until ctx ends.
func (j *Jobs) loop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	interval := j.Interval
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		j.Step(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
