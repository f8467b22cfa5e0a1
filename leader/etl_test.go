package leader

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// The daily ETL fills in the finished days of the baseline window it has not counted, a
// bounded number per look, and counts nothing twice.
func TestDailyETLFillsMissingDays(t *testing.T) {
	env := testenv.New(t)
	s := store.New(env.DB(t), store.Options{Writers: 1})
	defer s.Close()
	ctx := context.Background()
	rules := []config.Rule{{Name: "a", Query: "x", Type: "instant"}, {Name: "b", Query: "y", Type: "instant"}}
	ids, err := s.SyncRules(ctx, rules)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	etl := NewDailyETL(&config.Config{Rules: rules}, s, ids, slog.New(slog.NewTextHandler(io.Discard, nil)))
	etl.now = func() time.Time { return now }
	etl.Step(ctx)
	from, today := now.Truncate(24*time.Hour).AddDate(0, 0, -28), now.Truncate(24*time.Hour)
	for _, name := range []string{"a", "b"} {
		days, err := s.DaysComputed(ctx, ids[name], from, today)
		if err != nil || len(days) != 28 {
			t.Fatalf("rule %s: %d days computed (%v), want 28", name, len(days), err)
		}
	}
	now = now.Add(24 * time.Hour)
	etl.Step(ctx)
	days, _ := s.DaysComputed(ctx, ids["a"], from, now.Truncate(24*time.Hour))
	if len(days) != 29 {
		t.Fatalf("a day later: %d days, want 29", len(days))
	}
}
