package pipeline

import (
	"context"
	"log/slog"

	"groupwatch/config"
	"groupwatch/store"
)

// Migration is one schema version and whether the database has it.
type Migration = store.Migration

// Migrate is `pipeline migrate`: it applies the migrations the configured MySQL lacks (under
// an advisory lock, so replicas starting together take turns) and returns those it applied.
func Migrate(ctx context.Context, cfg *config.Config, logger *slog.Logger) ([]store.Migration, error) {
	db, err := store.Open(ctx, cfg.MySQL.DSN, 2)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return store.Migrator{DB: db, Logger: logger}.Up(ctx)
}

// MigrationStatus is `pipeline migrate status`: every migration this binary has and whether
// the configured MySQL has it. It only reads.
func MigrationStatus(ctx context.Context, cfg *config.Config) ([]store.Migration, error) {
	db, err := store.Open(ctx, cfg.MySQL.DSN, 1)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return store.Migrator{DB: db}.Status(ctx)
}
