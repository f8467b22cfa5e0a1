package pipeline

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/store"
)

// BackfillJob is `pipeline backfill` for one rule over the configured MySQL: the command
// runs it, prints what it found, and may then publish one digest of it.
type BackfillJob struct {
	cfg    *config.Config
	rule   config.Rule
	ruleID int64
	db     *sql.DB
	store  *store.Store
}

// OpenBackfill connects to the configured MySQL and makes sure the rule has its row (a new
// rule may not have run live yet).
func OpenBackfill(ctx context.Context, cfg *config.Config, rule config.Rule) (*BackfillJob, error) {
	db, err := store.Open(ctx, cfg.MySQL.DSN, 4)
	if err != nil {
		return nil, err
	}
	s := store.New(db, store.Options{})
	id, err := s.EnsureRule(ctx, rule)
	if err != nil {
		s.Close()
		db.Close()
		return nil, err
	}
	return &BackfillJob{cfg: cfg, rule: rule, ruleID: id, db: db, store: s}, nil
}

// Run runs the rule over the posts stored since a time and stores what it decided
// (Backfill says how).
func (j *BackfillJob) Run(ctx context.Context, since time.Time, progress func(done, total int)) (BackfillReport, error) {
	return Backfill(ctx, j.rule, j.ruleID, j.store, since, progress)
}

// PublishDigest stores one digest of what Run found and publishes it to the alerts topic
// (PublishBackfillDigest), returning its alert id.
func (j *BackfillJob) PublishDigest(ctx context.Context, rep BackfillReport, since, now time.Time, logger *slog.Logger) (int64, error) {
	return PublishBackfillDigest(ctx, j.cfg, j.store, j.rule, j.ruleID, rep, since, now, logger)
}

// Close flushes the store's writers and closes the connections.
func (j *BackfillJob) Close() {
	j.store.Close()
	j.db.Close()
}
