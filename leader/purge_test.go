package leader

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/store"
)

// fakePurger removes batches of one row per statement from a table of rows rows.
type fakePurger struct {
	rows    int
	passes  int
	cutoffs []store.Cutoffs
}

func (f *fakePurger) Purge(ctx context.Context, c store.Cutoffs, batch int, pause func(context.Context) error) (store.Removed, error) {
	f.passes++
	f.cutoffs = append(f.cutoffs, c)
	removed := store.Removed{}
	for f.rows > 0 {
		f.rows--
		removed["posts"]++
		if f.rows == 0 {
			break
		}
		if err := pause(ctx); err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// TestPurgeStepsAndBudget: a step purges at once, then not again before retention.every; a
// pass that outlasts the step budget yields and goes on at the next step; what it removed
// reaches OnRemoved; the cutoffs follow the retention section.
func TestPurgeStepsAndBudget(t *testing.T) {
	cfg := &config.Config{Retention: config.Retention{Posts: "180d", CrawlRuns: config.Keep, Alerts: config.Keep,
		Deliveries: config.Keep, KeywordDaily: "400d", BatchSize: 1, Every: time.Hour}}
	now := time.Date(2026, 11, 29, 12, 30, 0, 0, time.UTC)
	f := &fakePurger{rows: 5}
	p := NewPurge(cfg, f, slog.New(slog.NewTextHandler(io.Discard, nil)))
	p.StepBudget = 2 * time.Second
	p.now = func() time.Time { now = now.Add(time.Second); return now } // each look at the clock is a second
	var reported int64
	p.OnRemoved = func(table string, n int64) { reported += n }

	p.Step(context.Background())
	if f.rows == 0 || reported == 0 {
		t.Fatalf("first step: %d rows left, %d reported; want a part removed, then a yield", f.rows, reported)
	}
	for i := 0; i < 10 && f.rows > 0; i++ {
		p.Step(context.Background())
	}
	if f.rows != 0 || reported != 5 {
		t.Fatalf("after more steps: %d rows left, %d reported", f.rows, reported)
	}
	passes := f.passes
	p.Step(context.Background())
	if f.passes != passes {
		t.Fatal("purged again before retention.every")
	}
	c := f.cutoffs[0]
	if !c.Alerts.IsZero() || !c.CrawlRuns.IsZero() || c.Posts.IsZero() ||
		c.KeywordDaily != time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC) {
		t.Fatalf("cutoffs %+v", c)
	}
}
