package pipeline_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// A foreign entry on a topic that several groups read (alerts: notify.console and
// notify.file) is poisoned once, not once per group, and every group gets past it.
func TestForeignEntryOnAlertsIsPoisonedOnce(t *testing.T) {
	env := testenv.New(t)
	dir := t.TempDir()
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline:
  consumers: {normalize: 1, match: 1, evaluate: 1, notify: 2}
  close_timeout: 5s
  retry_max_interval: 200ms
rules:
  - {name: acme, query: 'acme', sinks: [file, screen]}
sinks:
  - {name: file, type: file, path: %s}
  - {name: screen, type: console}
`, env.Prefix, filepath.Join(dir, "alerts.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	rdb := env.Redis(t)
	ctx := context.Background()
	alerts := pipeline.NewTopics(cfg.Topics.Prefix).Alerts()
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: alerts, Values: map[string]any{"hand": "written"}}).Err(); err != nil {
		t.Fatal(err)
	}
	if code := runUntilDrained(t, cfg, pipeline.RunOptions{}); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if n, err := rdb.XLen(ctx, pipeline.Poison(alerts)).Result(); err != nil || n != 1 {
		t.Fatalf("%d poisoned entries (%v), want 1", n, err)
	}
	for _, group := range []string{"notify.console", "notify.file"} {
		if p, err := rdb.XPending(ctx, alerts, group).Result(); err != nil || p.Count != 0 {
			t.Fatalf("group %s: %+v %v", group, p, err)
		}
	}
}
