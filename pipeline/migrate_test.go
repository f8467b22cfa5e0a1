package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/store"
)

// TestRunRefusesUnmigratedDatabase: `pipeline run` against a database that lacks migrations
// does not start and names `pipeline migrate`; `pipeline migrate` applies them all, its status
// then shows none pending, and run starts.
func TestRunRefusesUnmigratedDatabase(t *testing.T) {
	env := testenv.Empty(t)
	cfg := testConfig(t, env, t.TempDir())
	ctx := context.Background()

	app := pipeline.NewRunApp(cfg, pipeline.RunOptions{}, quietLogger())
	err := app.Start(ctx)
	if err == nil {
		_ = app.Stop(ctx)
		t.Fatal("run started on a database without tables")
	}
	if !strings.Contains(err.Error(), "pipeline migrate") {
		t.Fatalf("run's refusal does not name pipeline migrate: %v", err)
	}

	applied, err := pipeline.Migrate(ctx, cfg, quietLogger())
	if err != nil || len(applied) == 0 {
		t.Fatalf("migrate applied %+v (%v)", applied, err)
	}
	all, err := pipeline.MigrationStatus(ctx, cfg)
	if err != nil || store.Pending(all) != 0 || len(all) != len(applied) {
		t.Fatalf("status after migrate: %+v (%v)", all, err)
	}

	app = pipeline.NewRunApp(cfg, pipeline.RunOptions{}, quietLogger())
	if err := app.Start(ctx); err != nil {
		t.Fatalf("run on the migrated database: %v", err)
	}
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}
