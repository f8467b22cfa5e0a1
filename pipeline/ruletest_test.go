package pipeline_test

import (
	"context"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
	"groupwatch/store"
)

func TestRuleTestOverStoredPosts(t *testing.T) {
	env := testenv.New(t)
	cfg := testConfig(t, env, t.TempDir())
	runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"})
	posts := store.NewAdmin(env.DB(t)).Posts()
	ctx := context.Background()
	since := time.Now().Add(-time.Hour)

	instant, err := pipeline.TestRule(ctx, config.Rule{Name: "x", Query: "acme", Type: config.RuleInstant}, posts, nil, since)
	if err != nil || instant.Posts != 5 || instant.Matches != 2 || len(instant.Alerts) != 2 {
		t.Fatalf("instant: %+v %v", instant, err)
	}
	threshold, err := pipeline.TestRule(ctx, config.Rule{Name: "x", Query: "acme", Type: config.RuleThreshold,
		Threshold: config.Threshold{Count: 2, Window: time.Hour, GroupBy: config.GroupByRule, Realert: time.Hour, RealertMax: time.Hour}}, posts, nil, since)
	if err != nil || len(threshold.Alerts) != 1 || threshold.Alerts[0].Summary == "" {
		t.Fatalf("threshold: %+v %v", threshold, err)
	}
	// Nothing was written: the pipeline's own alerts are all there is.
	if n, _ := queries.New(env.DB(t)).CountAlerts(ctx); n != 2 {
		t.Fatalf("%d alerts stored, want the pipeline's 2", n)
	}
	if none, _ := pipeline.TestRule(ctx, config.Rule{Name: "x", Query: "acme", Type: config.RuleInstant}, posts, nil, time.Now().Add(time.Hour)); none.Posts != 0 {
		t.Fatalf("posts from the future: %+v", none)
	}
}
