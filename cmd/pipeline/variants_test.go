package main_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `pipeline rules test` shows a match that came only through folding Chinese variants as
// "term ~ the post's spelling", and an exact rule does not match across scripts.
func TestRulesTestShowsVariantMatches(t *testing.T) {
	env, vars := serverEnv(t)
	dir := t.TempDir()
	cfg := prefixedConfig(t, dir, env.Prefix)
	b, _ := os.ReadFile(cfg)
	b = bytes.Replace(b, []byte("rules:\n"), []byte("rules:\n  - {name: camera, query: 相機, sinks: [alerts-file]}\n  - {name: camera-exact, query: 相機, variants: exact, sinks: [alerts-file]}\n"), 1)
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	posts := filepath.Join(dir, "posts.jsonl")
	os.WriteFile(posts, []byte(`{"source":"fb:mainland","external_id":"s1","text":"出售二手相机，九成新"}`+"\n"), 0o644)
	run(t, dir, vars, "migrate", "--config", cfg)
	if r := run(t, dir, vars, "run", "--config", cfg, "--ingest", posts, "--drain"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	r := run(t, dir, vars, "rules", "test", "--config", cfg, "camera", "--since", "1d")
	if r.code != 0 || !strings.Contains(r.stdout, "1 alerts") || !strings.Contains(r.stdout, "相機 ~ 相机") {
		t.Fatalf("rules test camera: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, vars, "rules", "test", "--config", cfg, "camera-exact", "--since", "1d")
	if r.code != 0 || !strings.Contains(r.stdout, "0 matched, 0 alerts") {
		t.Fatalf("rules test camera-exact: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, vars, "rules", "test", "--config", cfg, "camera", "--since", "1d", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"variants": {`) {
		t.Fatalf("rules test --json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
