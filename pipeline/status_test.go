package pipeline_test

import (
	"context"
	"testing"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/store"
)

func TestStatusReportsTopicsGroupsAndDeliveries(t *testing.T) {
	env := testenv.New(t)
	cfg := testConfig(t, env, t.TempDir())
	runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"})
	rep, err := pipeline.Status(context.Background(), cfg, env.Redis(t), store.NewAdmin(env.DB(t)))
	if err != nil {
		t.Fatal(err)
	}
	byTopic := map[string]pipeline.TopicStatus{}
	for _, ts := range rep.Topics {
		byTopic[ts.Topic] = ts
	}
	raw := byTopic[pipeline.NewTopics(cfg.Topics.Prefix).Raw()]
	if raw.Length != 5 || raw.Oldest == nil || raw.Newest == nil || len(raw.Groups) != 1 || raw.Groups[0].Group != "normalize" || raw.Groups[0].Pending != 0 {
		t.Fatalf("posts.raw: %+v", raw)
	}
	if rep.Deliveries["sent"] != 2 {
		t.Fatalf("deliveries %v", rep.Deliveries)
	}
}
