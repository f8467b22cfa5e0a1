package pipeline_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/pipeline"
)

// A job the scheduler marked in flight frees its source once the crawl stage has crawled it,
// so the source's next tick is published.
func TestCrawlStageFreesTheSourceWhenDone(t *testing.T) {
	srv, selectors := forumSite(t)
	env := serversOfTest(t)
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline: {consumers: {normalize: 1, match: 1, evaluate: 1, notify: 1, crawl: 1}}
sources:
  - {name: forum, kind: html, url: '%s/page1', every: 1h, selectors: '%s', min_interval: 1s}
rules: [{name: acme, query: 'acme refund', sinks: [out]}]
sinks: [{name: out, type: file, path: %s}]
`, env.Prefix, srv.URL, selectors, filepath.Join(t.TempDir(), "alerts.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rdb := env.Redis(t)
	inflight := crawl.Inflight{Redis: rdb, Prefix: cfg.Topics.Prefix + "."}
	tick := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	job := crawl.Job{V: 1, ID: crawl.JobID("forum", tick), Source: "forum", Tick: tick}
	if claim, _, err := inflight.Take(ctx, job); err != nil || claim != crawl.TakeOK {
		t.Fatalf("take: %d %v", claim, err)
	}
	next := crawl.Job{V: 1, ID: crawl.JobID("forum", tick.Add(time.Hour)), Source: "forum", Tick: tick.Add(time.Hour)}
	if claim, _, _ := inflight.Take(ctx, next); claim != crawl.TakeBusy {
		t.Fatalf("the next tick while the job is queued: claim %d, want busy", claim)
	}
	pub, err := redisstream.NewPublisher(redisstream.PublisherConfig{Client: rdb}, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := pipeline.NewJobMessage(job)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish(pipeline.NewTopics(cfg.Topics.Prefix).CrawlJobs(), msg); err != nil {
		t.Fatal(err)
	}
	if code := runUntilDrained(t, cfg, pipeline.RunOptions{}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if claim, _, err := inflight.Take(ctx, next); err != nil || claim != crawl.TakeOK {
		t.Fatalf("the next tick after the crawl: claim %d %v, want ok", claim, err)
	}
}
