package pipeline

import (
	"context"

	"groupwatch"
	"groupwatch/config"
	"groupwatch/store"
)

// Migrate is `pipeline migrate`: it applies schema.sql to the configured MySQL (safe to run
// again) and returns how many statements it holds.
func Migrate(ctx context.Context, cfg *config.Config) (int, error) {
	db, err := store.Open(ctx, cfg.MySQL.DSN, 1)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := store.Migrate(ctx, db, groupwatch.Schema); err != nil {
		return 0, err
	}
	return len(store.Statements(groupwatch.Schema)), nil
}
