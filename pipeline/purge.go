package pipeline

import (
	"context"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/leader"
	"groupwatch/store"
)

// PurgeReport is what `pipeline purge` did, or with --dry-run would do.
type PurgeReport struct {
	DryRun  bool
	Cutoffs store.Cutoffs
	// Rows by table: removed, or that would be.
	Rows store.Removed
	// KeptForAlerts counts posts past their retention kept because an alert refers to them
	// (dry run only).
	KeptForAlerts int64
}

// Purge is `pipeline purge`: the leader's retention purge, once, now, to the end; with
// dryRun it only counts. A purge running on the leader at the same time is harmless: both
// delete the same rows.
func Purge(ctx context.Context, cfg *config.Config, dryRun bool, logger *slog.Logger) (PurgeReport, error) {
	db, err := store.Open(ctx, cfg.MySQL.DSN, 2)
	if err != nil {
		return PurgeReport{}, err
	}
	defer db.Close()
	if err := (store.Migrator{DB: db}).Check(ctx); err != nil {
		return PurgeReport{}, err
	}
	s := store.New(db, store.Options{Writers: 1})
	defer s.Close()
	now := time.Now()
	rep := PurgeReport{DryRun: dryRun, Cutoffs: leader.CutoffsAt(cfg.Retention, now)}
	if dryRun {
		rep.Rows, rep.KeptForAlerts, err = s.Purgeable(ctx, rep.Cutoffs)
		return rep, err
	}
	rep.Rows, err = leader.NewPurge(cfg, s, logger).Run(ctx, now)
	return rep, err
}
