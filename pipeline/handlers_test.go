package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// --handlers splits the stages over processes: one that normalizes, matches and evaluates
// leaves the alerts on their topic; one that only notifies sends them.
func TestHandlersSplitStagesAcrossProcesses(t *testing.T) {
	env := testenv.New(t)
	dir := t.TempDir()
	cfg := testConfig(t, env, dir)
	runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl",
		Handlers: []string{"normalize", "match", "evaluate"}, Consumers: map[string]int{"normalize": 3}})
	if n := len(readAlerts(t, filepath.Join(dir, "alerts.jsonl"))); n != 0 {
		t.Fatalf("a process without notify wrote %d alerts", n)
	}
	if n, err := env.Redis(t).XLen(context.Background(), pipeline.NewTopics(cfg.Topics.Prefix).Alerts()).Result(); err != nil || n != 2 {
		t.Fatalf("alerts topic holds %d (%v), want 2", n, err)
	}
	runUntilDrained(t, cfg, pipeline.RunOptions{Handlers: []string{"notify"}})
	if n := len(readAlerts(t, filepath.Join(dir, "alerts.jsonl"))); n != 2 {
		t.Fatalf("the notify process wrote %d alerts, want 2", n)
	}
}
