package pipeline_test

import (
	"context"
	"testing"
	"time"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// TestPurgeCommand: `pipeline purge --dry-run` counts an old post and deletes nothing; without
// --dry-run the post goes and a recent one stays.
func TestPurgeCommand(t *testing.T) {
	env := testenv.New(t)
	cfg := testConfig(t, env, t.TempDir())
	db := env.DB(t)
	ctx := context.Background()
	for id, age := range map[string]time.Duration{"old": 200 * 24 * time.Hour, "new": time.Hour} {
		at := time.Now().Add(-age)
		if _, err := db.Exec("INSERT INTO posts (source, external_id, text, content_hash, raw_payload, first_seen_at, updated_at) VALUES ('s', ?, 't', '', '{}', ?, ?)", id, at, at); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := pipeline.Purge(ctx, cfg, true, quietLogger())
	if err != nil || rep.Rows["posts"] != 1 || !rep.DryRun {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	rep, err = pipeline.Purge(ctx, cfg, false, quietLogger())
	if err != nil || rep.Rows["posts"] != 1 {
		t.Fatalf("purge: %+v %v", rep, err)
	}
	var left string
	if err := db.QueryRow("SELECT external_id FROM posts").Scan(&left); err != nil || left != "new" {
		t.Fatalf("left %q (%v), want the recent post alone", left, err)
	}
}
