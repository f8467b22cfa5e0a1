package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

func TestParseAgo(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"7d", 7 * 24 * time.Hour, ""},
		{"48h", 48 * time.Hour, ""},
		{"106751d", 106751 * 24 * time.Hour, ""},
		{"200000d", 0, "too long ago"},
		{"99999999999999999999d", 0, "too long ago"},
		{"9999999999h", 0, "too long ago"},
		{"-1d", 0, "want a number of days"},
		{"-2h", 0, "want a number of days"},
		{"yesterday", 0, "want a number of days"},
	}
	for _, tt := range tests {
		got, err := pipeline.ParseAgo(tt.in)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ParseAgo(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ParseAgo(%q) = %v, %v; want an error saying %q", tt.in, got, err, tt.wantErr)
		}
	}
}

// A bound that would wrap round into the future, or fall before 1970, is refused rather than
// turned into an id that selects nothing.
func TestStreamIDRefusesOverflow(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, in := range []string{"200000d", "9999999999h", "1969-12-31T00:00:00Z", "100000d"} {
		if got, err := pipeline.StreamID(in, now); err == nil {
			t.Errorf("StreamID(%q) = %q, want an error", in, got)
		}
	}
}

// streamOf adds n entries to a topic and creates group "normalize" at its start.
func streamOf(t *testing.T, rdb *redis.Client, topic string, n int) {
	t.Helper()
	ctx := context.Background()
	pipe := rdb.Pipeline()
	for i := range n {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: topic, Values: map[string]any{"n": i}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rdb.XGroupCreate(ctx, topic, "normalize", "0").Err(); err != nil {
		t.Fatal(err)
	}
}

// Plans that would lose or multiply entries are refused before anything changes.
func TestPlanReplayRefusesWhatLosesOrMultipliesEntries(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	ctx := context.Background()
	topic := env.Topic("posts.raw")
	streamOf(t, rdb, topic, 20)
	future := fmt.Sprintf("%d-0", time.Now().Add(24*time.Hour).UnixMilli())
	tests := []struct {
		name    string
		plan    pipeline.ReplayPlan
		wantErr string
	}{
		{"rewind past the last entry", pipeline.ReplayPlan{FromID: future, ToID: "+", Group: "normalize"}, "after the last entry"},
		{"unknown group", pipeline.ReplayPlan{FromID: "-", ToID: "+", Group: "normalise"}, `no consumer group "normalise" (it has: normalize)`},
		{"to before from", pipeline.ReplayPlan{FromID: "1700000000000-0", ToID: "1600000000000-0", ToTopic: topic + ".copy"}, "is before --from"},
		{"into itself", pipeline.ReplayPlan{FromID: "-", ToID: "+", ToTopic: topic}, "is the topic replayed"},
		{"unknown group, may be created", pipeline.ReplayPlan{FromID: "-", ToID: "+", Group: "audit", CreateGroup: true}, ""},
		{"known group", pipeline.ReplayPlan{FromID: "-", ToID: "+", Group: "normalize"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.plan.Topic = topic
			plan, err := pipeline.PlanReplay(ctx, rdb, tt.plan)
			if tt.wantErr == "" {
				if err != nil || plan.Entries != 20 {
					t.Fatalf("plan %+v, %v", plan, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("want an error saying %q, got %v", tt.wantErr, err)
			}
		})
	}
	// Replay checks again: a caller that skips the plan cannot copy a topic into itself.
	if err := pipeline.Replay(ctx, rdb, pipeline.ReplayPlan{Topic: topic, FromID: "-", ToID: "+", ToTopic: topic}, func(int64) {}); err == nil {
		t.Fatal("Replay copied a topic into itself")
	}
	if n, _ := rdb.XLen(ctx, topic).Result(); n != 20 {
		t.Fatalf("the refused replays changed the topic: %d entries", n)
	}
}

// A copy ends at the last entry present when it started, however fast the source grows.
func TestReplayCopyStopsAtTheEntriesItStartedWith(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	ctx := context.Background()
	src, dst := env.Topic("posts.raw"), env.Topic("posts.raw.copy")
	streamOf(t, rdb, src, 1000)
	batches := 0
	grow := func(int64) {
		// Another producer adds 500 entries for each batch copied, for a while.
		if batches++; batches > 20 {
			return
		}
		pipe := rdb.Pipeline()
		for i := range 500 {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: src, Values: map[string]any{"late": i}})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Error(err)
		}
	}
	if err := pipeline.Replay(ctx, rdb, pipeline.ReplayPlan{Topic: src, FromID: "-", ToID: "+", ToTopic: dst}, grow); err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.XLen(ctx, dst).Result(); n != 1000 {
		t.Fatalf("copied %d entries, want the 1000 present at the start", n)
	}
}

// status shows no negative lag, and a group positioned past the stream's end as an error.
func TestStatusGroupPastTheEndAndLag(t *testing.T) {
	env := testenv.New(t)
	rdb := env.Redis(t)
	ctx := context.Background()
	cfg := testConfig(t, env, t.TempDir())
	topics := pipeline.NewTopics(cfg.Topics.Prefix)
	streamOf(t, rdb, topics.Raw(), 5)
	// What `replay --from 2030-01-01T00:00:00Z --group match` did before it was refused.
	future := fmt.Sprintf("%d-0", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	if err := rdb.XGroupCreate(ctx, topics.Raw(), "match", future).Err(); err != nil {
		t.Fatal(err)
	}
	// A deleted entry makes real Redis answer lag nil (go-redis: -1).
	first, err := rdb.XRangeN(ctx, topics.Raw(), "-", "+", 2).Result()
	if err != nil || len(first) != 2 {
		t.Fatal(err)
	}
	if err := rdb.XDel(ctx, topics.Raw(), first[1].ID).Err(); err != nil {
		t.Fatal(err)
	}
	rep, err := pipeline.Status(ctx, cfg, rdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]pipeline.GroupStatus{}
	for _, ts := range rep.Topics {
		for _, g := range ts.Groups {
			if g.Lag < 0 {
				t.Errorf("%s/%s: negative lag %d", ts.Topic, g.Group, g.Lag)
			}
			if ts.Topic == topics.Raw() {
				groups[g.Group] = g
			}
		}
	}
	if g := groups["match"]; !strings.Contains(g.Error, "past the stream's last id") || g.Lag != 0 {
		t.Errorf("group past the end: %+v", g)
	}
	if g := groups["normalize"]; g.Error != "" || g.Lag != 4 {
		t.Errorf("group at the start: %+v, want lag 4", g)
	}
	// MySQL was not given: the report says so and still has Redis's part and the sources.
	if rep.Unreachable[pipeline.StatusMySQL] == "" || rep.Unreachable[pipeline.StatusRedis] != "" || len(rep.Topics) == 0 {
		t.Errorf("unreachable %v, %d topics", rep.Unreachable, len(rep.Topics))
	}
}

// run --drain refuses to call a stage drained whose group sits past its stream's end (what a
// rewind "to" 2030 did): it exits 1 at once instead of 0 while posts go unread.
func TestDrainRefusesAGroupPastTheEnd(t *testing.T) {
	env := testenv.New(t)
	cfg := testConfig(t, env, t.TempDir())
	runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"})
	rdb := env.Redis(t)
	ctx := context.Background()
	raw := pipeline.NewTopics(cfg.Topics.Prefix).Raw()
	future := fmt.Sprintf("%d-0", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	if err := rdb.XGroupDestroy(ctx, raw, "normalize").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.XGroupCreate(ctx, raw, "normalize", future).Err(); err != nil {
		t.Fatal(err)
	}
	if code := runUntilDrainedWithin(t, cfg, pipeline.RunOptions{}, 30*time.Second); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
}
