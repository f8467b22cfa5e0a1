package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
)

func TestStreamID(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := map[string]string{
		"1700000000000-3":      "1700000000000-3",
		"2026-11-27T00:00:00Z": "1795737600000-0",
		"2h":                   "1795773600000-0",
		"1d":                   "1795694400000-0",
		"-":                    "-",
	}
	for in, want := range tests {
		if got, err := pipeline.StreamID(in, now); err != nil || got != want {
			t.Errorf("StreamID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := pipeline.StreamID("yesterday", now); err == nil {
		t.Error("yesterday must be refused")
	}
}

// Replaying a whole topic end to end, by rewinding a group or by copying into a topic the
// stage reads, makes no second alert and no second notification.
func TestReplayMakesNoSecondAlert(t *testing.T) {
	env := testenv.New(t)
	dir := t.TempDir()
	cfg := testConfig(t, env, dir)
	runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"})
	ctx := context.Background()
	rdb := env.Redis(t)
	topics := pipeline.NewTopics(cfg.Topics.Prefix)

	plan, err := pipeline.PlanReplay(ctx, rdb, pipeline.ReplayPlan{Topic: topics.Raw(), FromID: "-", ToID: "+", Group: "normalize"})
	if err != nil || plan.Entries != 5 || plan.First == nil {
		t.Fatalf("plan %+v %v", plan, err)
	}
	if env.Real { // miniredis has no XGROUP SETID
		if err := pipeline.Replay(ctx, rdb, plan, func(int64) {}); err != nil {
			t.Fatal(err)
		}
	}
	// The evaluate stage's topic copied aside and back (a copy into itself is refused):
	// every matched post evaluated again.
	aside := topics.Matched() + ".aside"
	for _, hop := range [][2]string{{topics.Matched(), aside}, {aside, topics.Matched()}} {
		copyPlan, err := pipeline.PlanReplay(ctx, rdb, pipeline.ReplayPlan{Topic: hop[0], FromID: "-", ToID: "+", ToTopic: hop[1]})
		if err != nil || copyPlan.Entries != 2 {
			t.Fatalf("copy plan %+v %v", copyPlan, err)
		}
		if err := pipeline.Replay(ctx, rdb, copyPlan, func(int64) {}); err != nil {
			t.Fatal(err)
		}
	}
	last, err := rdb.XRevRangeN(ctx, topics.Matched(), "+", "-", 1).Result()
	if err != nil || len(last) != 1 {
		t.Fatal(err)
	}
	msg, err := redisstream.DefaultMarshallerUnmarshaller{}.Unmarshal(last[0].Values)
	if err != nil || msg.Metadata.Get(pipeline.MetaReplay) != "true" {
		t.Fatalf("a copied entry must be marked replay: %v %v", msg, err)
	}

	runUntilDrained(t, cfg, pipeline.RunOptions{})
	if n := len(readAlerts(t, filepath.Join(dir, "alerts.jsonl"))); n != 2 {
		t.Fatalf("%d notifications after the replay, want still 2", n)
	}
	if n, _ := queries.New(env.DB(t)).CountAlerts(ctx); n != 2 {
		t.Fatalf("%d alerts stored after the replay, want still 2", n)
	}
	if _, err := pipeline.PlanReplay(ctx, rdb, pipeline.ReplayPlan{Topic: topics.Raw(), FromID: "-", ToID: "+"}); err == nil {
		t.Fatal("a replay with neither group nor topic must be refused")
	}
}
