package leader

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/store"
)

// Purger deletes old rows in batches; *store.Store is one.
type Purger interface {
	Purge(ctx context.Context, c store.Cutoffs, batch int, pause func(context.Context) error) (store.Removed, error)
}

// Purge applies the retention section on the leader every retention.every: small DELETEs
// with a pause between them, so no statement holds locks for long and the pipeline's own
// writes go on. A pass on the leader gives the other leader jobs their turn after
// StepBudget and goes on at the next step (the first pass over a year of data takes a
// while). What it removed goes to the log and to OnRemoved (the metrics).
type Purge struct {
	cfg    config.Retention
	store  Purger
	logger *slog.Logger
	now    func() time.Time
	// OnRemoved is told how many rows of each table a pass removed.
	OnRemoved func(table string, n int64)
	// StepBudget is how long one Step purges before it yields. Default 30s.
	StepBudget time.Duration

	lastLook time.Time
}

// errBudget ends a step's share of a pass; the pass goes on at the next step.
var errBudget = errors.New("purge step budget spent")

// NewPurge purges s by cfg.Retention.
func NewPurge(cfg *config.Config, s Purger, logger *slog.Logger) *Purge {
	return &Purge{cfg: cfg.Retention, store: s, logger: logger.With("component", "purge"), now: time.Now}
}

// CutoffsAt are the retention section's cutoffs at now.
func CutoffsAt(r config.Retention, now time.Time) store.Cutoffs {
	at := func(a config.Age) time.Time {
		if d := a.Duration(); d > 0 {
			return now.Add(-d)
		}
		return time.Time{}
	}
	c := store.Cutoffs{Posts: at(r.Posts), CrawlRuns: at(r.CrawlRuns), Alerts: at(r.Alerts), Deliveries: at(r.Deliveries)}
	if d := r.KeywordDaily.Duration(); d > 0 {
		// keyword_daily is by UTC day: keep every day that ends after the cutoff.
		c.KeywordDaily = now.Add(-d).UTC().Truncate(24 * time.Hour)
	}
	return c
}

// Step purges once retention.every has passed since the last pass.
func (p *Purge) Step(ctx context.Context) {
	now := p.now()
	if !p.lastLook.IsZero() && now.Sub(p.lastLook) < p.cfg.Every {
		return
	}
	budget := p.StepBudget
	if budget <= 0 {
		budget = 30 * time.Second
	}
	if _, err := p.run(ctx, now, now.Add(budget)); errors.Is(err, errBudget) {
		return // not done: go on at the next step
	}
	p.lastLook = now
}

// Run purges once, now, until done, and reports what it removed.
func (p *Purge) Run(ctx context.Context, now time.Time) (store.Removed, error) {
	return p.run(ctx, now, time.Time{})
}

// run purges until done or, with a deadline, until a pause past it.
func (p *Purge) run(ctx context.Context, now, deadline time.Time) (store.Removed, error) {
	start := p.now()
	pause := func(ctx context.Context) error {
		if !deadline.IsZero() && p.now().After(deadline) {
			return errBudget
		}
		return p.pause(ctx)
	}
	removed, err := p.store.Purge(ctx, CutoffsAt(p.cfg, now), p.cfg.BatchSize, pause)
	attrs := []any{"took", p.now().Sub(start).Round(time.Millisecond).String()}
	var total int64
	for _, table := range store.PurgeTables {
		if n := removed[table]; n > 0 {
			total += n
			attrs = append(attrs, table, n)
			if p.OnRemoved != nil {
				p.OnRemoved(table, n)
			}
		}
	}
	switch {
	case errors.Is(err, errBudget):
		p.logger.Info("purged rows past their retention; more at the next step", attrs...)
	case err != nil && ctx.Err() == nil:
		p.logger.Warn("purge stopped", append(attrs, "error", err.Error())...)
	case total > 0:
		p.logger.Info("purged rows past their retention", attrs...)
	}
	return removed, err
}

func (p *Purge) pause(ctx context.Context) error {
	t := time.NewTimer(p.cfg.Pause)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
