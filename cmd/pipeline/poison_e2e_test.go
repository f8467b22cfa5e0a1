package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// pipeline poison lists, refuses to requeue what something else wrote, and drops.
func TestPoisonCommands(t *testing.T) {
	env, vars := serverEnv(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("topics: {prefix: "+env.Prefix+"}\nrules: [{name: a, query: acme, sinks: [o]}]\nsinks: [{name: o, type: console}]\n"), 0o644)
	opts, err := redis.ParseURL(env.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	topic := env.Prefix + ".posts.raw.poison"
	id, err := rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: topic, Values: map[string]any{"hello": "world"}}).Result()
	if err != nil {
		t.Fatal(err)
	}

	r := run(t, dir, vars, "poison", "list", "--config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, topic+"  1 entries") || !strings.Contains(r.stdout, id) {
		t.Fatalf("list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "poison", "show", "--config", cfg, topic, id); r.code != 0 || !strings.Contains(r.stdout, `"foreign"`) {
		t.Fatalf("show: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "poison", "requeue", "--config", cfg, topic, id); r.code != 1 || !strings.Contains(r.stderr, "can only be dropped") {
		t.Fatalf("requeue of a foreign entry: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "poison", "drop", "--config", cfg, topic, id); r.code != 0 || !strings.Contains(r.stdout, "dropped 1 of 1 entries") {
		t.Fatalf("drop: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "poison", "list", "--config", cfg); r.code != 0 || !strings.Contains(r.stdout, "no poisoned messages") {
		t.Fatalf("list after drop: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The console will not start without its token.
	if r := run(t, dir, vars, "console", "--config", cfg, "--http", "127.0.0.1:0"); r.code != 1 || !strings.Contains(r.stderr, "the console needs admin.token") {
		t.Fatalf("console without a token: exit %d\n%s", r.code, r.stderr)
	}
}
