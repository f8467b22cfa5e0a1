package leader

import (
	"context"
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
// writes go on. What it removed goes to the log and to OnRemoved (the metrics).
type Purge struct {
	cfg    config.Retention
	store  Purger
	logger *slog.Logger
	now    func() time.Time
	// OnRemoved is told how many rows of each table a pass removed.
	OnRemoved func(table string, n int64)

	lastLook time.Time
}

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
	p.lastLook = now
	p.Run(ctx, now)
}

// Run purges once, now, and reports what it removed.
func (p *Purge) Run(ctx context.Context, now time.Time) (store.Removed, error) {
	start := p.now()
	removed, err := p.store.Purge(ctx, CutoffsAt(p.cfg, now), p.cfg.BatchSize, p.pause)
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
