package pipeline

import (
	"context"
	"database/sql"
	"time"

	"groupwatch/config"
	"groupwatch/store"
)

// Admin is what the admin commands (alerts, silence, rules test, status) read and change in
// the configured MySQL: the commands ask it, and only it knows there is a database behind.
// Its answers are plain values (store.Admin's), never generated row types.
type Admin struct {
	*store.Admin
	db *sql.DB
}

// The admin commands' answers, named here so that the commands need not import store.
type (
	AlertRow    = store.AlertRow
	AlertDetail = store.AlertDetail
	Silence     = store.SilenceRecord
)

// OpenAdmin connects to the configured MySQL with a small pool: an admin command asks a
// few questions one after another.
func OpenAdmin(ctx context.Context, cfg *config.Config) (*Admin, error) {
	db, err := store.Open(ctx, cfg.MySQL.DSN, 2)
	if err != nil {
		return nil, err
	}
	return &Admin{Admin: store.NewAdmin(db), db: db}, nil
}

// Close closes the connections.
func (a *Admin) Close() error { return a.db.Close() }

// TestRule is `pipeline rules test` over the stored posts and the silences in force
// (TestRule, package-level, says how).
func (a *Admin) TestRule(ctx context.Context, rule config.Rule, since time.Time) (RuleTestReport, error) {
	return TestRule(ctx, rule, a.Posts(), a.Silences(), since)
}
