package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Through the binary: `rules check` refuses a sink `run` would refuse, and `silence` names
// the flag that is too long rather than MySQL's "Data too long".
func TestRulesCheckAndSilenceSpeakTheUsersTerms(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("rules:\n  - {name: r, query: acme, sinks: [s]}\nsinks:\n  - {name: s, type: slack, webhook_url: XYZ}\n"), 0o644)
	r := run(t, dir, nil, "rules", "check", "--config", cfg)
	if r.code == 0 || !strings.Contains(r.stderr, "sinks[0] (s)") {
		t.Fatalf("rules check on a bad webhook: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	os.WriteFile(cfg, []byte("rules:\n  - {name: r, query: acme, sinks: [s]}\nsinks:\n  - {name: s, type: console}\n"), 0o644)
	r = run(t, dir, nil, "silence", "--config", cfg, "r", "--for", "1h", "--reason", strings.Repeat("x", 5000))
	if r.code == 0 || !strings.Contains(r.stderr, "--reason: 5000 characters, at most 255") || strings.Contains(r.stderr, "1406") {
		t.Fatalf("silence with a long reason: exit %d\n%s", r.code, r.stderr)
	}
}
