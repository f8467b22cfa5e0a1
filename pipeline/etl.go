package pipeline

import (
	"context"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/store"
)

// dailyETL counts every rule's matches per day into keyword_daily (per rule, source, author
// and term), the history threshold baselines read. It runs on the scheduler's leader, looks
// every ten minutes for finished UTC days of the last baseline window not yet counted, and
// counts a bounded number per look, so a new rule's history fills in over a few looks.
type dailyETL struct {
	cfg    *config.Config
	store  *store.Store
	rules  Rules
	logger *slog.Logger
	now    func() time.Time

	lastLook time.Time
}

// etlDays is how far back the ETL fills in: the longest baseline window.
func (e *dailyETL) etlDays() int {
	days := 28
	for _, r := range e.cfg.Rules {
		days = max(days, r.Threshold.BaselineDays)
	}
	return days
}

const etlPerLook = 100

func (e *dailyETL) step(ctx context.Context) {
	now := e.now()
	if now.Sub(e.lastLook) < 10*time.Minute {
		return
	}
	e.lastLook = now
	today := now.UTC().Truncate(24 * time.Hour)
	from := today.AddDate(0, 0, -e.etlDays())
	done := 0
	for _, r := range e.cfg.Rules {
		id := e.rules.IDs[r.Name]
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
