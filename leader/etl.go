package leader

import (
	"context"
	"log/slog"
	"time"

	"groupwatch/config"
)

// DayCounter counts a rule's matches of a day into keyword_daily, all of the day's keys or
// none, and says which days are counted.
type DayCounter interface {
	DaysComputed(ctx context.Context, ruleID int64, from, to time.Time) (map[time.Time]bool, error)
	ComputeDay(ctx context.Context, ruleID int64, day time.Time) error
}

// DailyETL counts every rule's matches per day into keyword_daily (per rule, source, author
// and term), the history threshold baselines read. It runs on the leader, looks
// every ten minutes for finished UTC days of the last baseline window not yet counted, and
// counts a bounded number per look, so a new rule's history fills in over a few looks.
type DailyETL struct {
	cfg     *config.Config
	store   DayCounter
	ruleIDs map[string]int64
	logger  *slog.Logger
	now     func() time.Time

	lastLook time.Time
}

// NewDailyETL counts the configured rules, whose ids in MySQL are ruleIDs.
func NewDailyETL(cfg *config.Config, s DayCounter, ruleIDs map[string]int64, logger *slog.Logger) *DailyETL {
	return &DailyETL{cfg: cfg, store: s, ruleIDs: ruleIDs, logger: logger.With("component", "daily-etl"), now: time.Now}
}

// etlDays is how far back the ETL fills in: the longest baseline window.
func (e *DailyETL) etlDays() int {
	days := 28
	for _, r := range e.cfg.Rules {
		days = max(days, r.Threshold.BaselineDays)
	}
	return days
}

const etlPerLook = 100

// Step counts the days not counted yet if ten minutes have passed since its last look.
func (e *DailyETL) Step(ctx context.Context) {
	now := e.now()
	if now.Sub(e.lastLook) < 10*time.Minute {
		return
	}
	e.lastLook = now
	today := now.UTC().Truncate(24 * time.Hour)
	from := today.AddDate(0, 0, -e.etlDays())
	done := 0
	for _, r := range e.cfg.Rules {
		id := e.ruleIDs[r.Name]
		computed, err := e.store.DaysComputed(ctx, id, from, today)
		if err != nil {
			e.logger.Warn("daily ETL cannot read its days", "rule", r.Name, "error", err.Error())
			return
		}
		for day := today.AddDate(0, 0, -1); !day.Before(from); day = day.AddDate(0, 0, -1) {
			if computed[day] {
				continue
			}
			if done == etlPerLook {
				return
			}
			if err := e.store.ComputeDay(ctx, id, day); err != nil {
				e.logger.Warn("daily ETL failed", "rule", r.Name, "day", day.Format("2006-01-02"), "error", err.Error())
				return
			}
			done++
		}
	}
	if done > 0 {
		e.logger.Info("daily ETL counted", "rule_days", done)
	}
}
