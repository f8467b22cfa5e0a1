package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"groupwatch/config"
	"groupwatch/internal/testenv"
)

// The real binary on a database with no table: status lists every migration pending, run
// refuses naming migrate, migrate applies them and says so, status then has none pending and
// purge --dry-run counts.
func TestMigrateStatusRunRefusalAndPurge(t *testing.T) {
	env := testenv.Empty(t)
	vars := []string{"GROUPWATCH_REDIS_URL=" + env.RedisURL, "GROUPWATCH_MYSQL_DSN=" + env.MySQLDSN}
	if env.Embedded {
		vars = append(vars, config.EnvMySQLMaxConns+"=1")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("topics: {prefix: "+env.Prefix+"}\nrules: [{name: r, query: acme, sinks: [c]}]\nsinks: [{name: c, type: console}]\n"), 0o644)

	r := run(t, dir, vars, "migrate", "status", "--config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "1        baseline") || !strings.Contains(r.stdout, "pending: run 'pipeline migrate'") {
		t.Fatalf("status before: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, vars, "run", "--config", cfg, "--drain")
	if r.code != 1 || !strings.Contains(r.stderr, "pipeline migrate") {
		t.Fatalf("run on an unmigrated database: exit %d\n%s", r.code, r.stderr)
	}
	r = run(t, dir, vars, "migrate", "--config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "applied 1 baseline") {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, vars, "migrate", "status", "--config", cfg)
	if r.code != 0 || strings.Contains(r.stdout, "pending") {
		t.Fatalf("status after: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, vars, "purge", "--dry-run", "--config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "would delete") || !strings.Contains(r.stdout, "posts") {
		t.Fatalf("purge --dry-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
