package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
	"groupwatch/store"
)

// A crawl job on crawl.jobs goes through the crawl stage into posts and alerts; the same job
// again crawls nothing.
func TestCrawlJobThroughThePipeline(t *testing.T) {
	var requests int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		http.ServeFile(w, r, filepath.Join("testdata", "crawl", filepath.Base(r.URL.Path)+".html"))
	}))
	defer srv.Close()

	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	dir := t.TempDir()
	selectors, _ := filepath.Abs("testdata/crawl/selectors.yaml")
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline: {consumers: {normalize: 2, match: 1, evaluate: 1, notify: 1, crawl: 1}}
sources:
  - {name: forum, kind: html, url: '%s/page1', every: 1h, selectors: '%s', min_interval: 1s}
rules:
  - {name: acme, query: 'acme refund', sinks: [file]}
  - {name: iphone, query: '"iphone 15" 二手', sinks: [file]}
sinks:
  - {name: file, type: file, path: %s}
`, env.Prefix, srv.URL, selectors, filepath.Join(dir, "alerts.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := redisstream.NewPublisher(redisstream.PublisherConfig{Client: env.Redis(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	job := crawl.Job{V: 1, ID: crawl.JobID("forum", time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)), Source: "forum"}
	publishJob := func() {
		msg, err := pipeline.NewJobMessage(job)
		if err != nil {
			t.Fatal(err)
		}
		if err := pub.Publish(pipeline.NewTopics(cfg.Topics.Prefix).CrawlJobs(), msg); err != nil {
			t.Fatal(err)
		}
	}

	publishJob()
	if code := runUntilDrained(t, cfg, pipeline.RunOptions{}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	alerts := alertKeys(readAlerts(t, filepath.Join(dir, "alerts.jsonl")))
	if len(alerts) != 2 || alerts[0] != "acme:forum/c1 acme,refund" || alerts[1] != "iphone:forum/c2 iphone 15,二手" {
		t.Fatalf("alerts %q", alerts)
	}
	db := env.DB(t)
	q := queries.New(db)
	runs, err := q.ListCrawlRuns(context.Background(), queries.ListCrawlRunsParams{Source: "forum", Limit: 10})
	if err != nil || len(runs) != 1 {
		t.Fatalf("crawl runs %+v %v", runs, err)
	}
	if r := runs[0]; r.Verdict != "ok" || r.Pages != 2 || r.PostsNew != 3 || !r.FinishedAt.Valid {
		t.Fatalf("run %+v", r)
	}
	if n, _ := q.CountPosts(context.Background()); n != 3 {
		t.Fatalf("%d posts stored, want 3", n)
	}

	// The same job again (a second scheduler during a hand-over): no second crawl.
	before := requests
	publishJob()
	runUntilDrained(t, cfg, pipeline.RunOptions{})
	if requests != before {
		t.Fatalf("the job was crawled twice: %d more requests", requests-before)
	}
	src, err := store.New(db, store.Options{Writers: 1}).Source(context.Background(), "forum")
	if err != nil || src.State != crawl.StateOK {
		t.Fatalf("source state %+v %v", src, err)
	}
	_ = os.Remove(filepath.Join(dir, "alerts.jsonl"))
}

// A manual crawl of a source whose scheduled job is queued or running is refused, naming the
// job; once the source is free it crawls, and frees the source again when done.
func TestManualCrawlWaitsForTheJobInFlight(t *testing.T) {
	srv, selectors := forumSite(t)
	env := serversOfTest(t)
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
sources:
  - {name: forum, kind: html, url: '%s/page1', every: 1h, selectors: '%s', min_interval: 1s}
rules:
  - {name: acme, query: 'acme refund', sinks: [file]}
sinks:
  - {name: file, type: file, path: %s}
`, env.Prefix, srv.URL, selectors, filepath.Join(t.TempDir(), "alerts.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inflight := crawl.Inflight{Redis: env.Redis(t), Prefix: env.Prefix + "."}
	scheduled := crawl.Job{V: 1, ID: crawl.JobID("forum", time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)), Source: "forum"}
	if heldBy, err := inflight.Hold(ctx, scheduled); err != nil || heldBy != "" {
		t.Fatalf("Hold on a free source = %q, %v", heldBy, err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err = pipeline.CrawlOnce(ctx, cfg, "forum", false, time.Now(), logger)
	if !errors.Is(err, pipeline.ErrCrawlInFlight) || !strings.Contains(err.Error(), scheduled.ID) {
		t.Fatalf("manual crawl while %s holds the source: err = %v, want ErrCrawlInFlight naming it", scheduled.ID, err)
	}
	if _, err := pipeline.CrawlOnce(ctx, cfg, "forum", true, time.Now(), logger); err != nil {
		t.Fatalf("a dry run reads only, and needs no hold: %v", err)
	}
	if err := inflight.Release(ctx, scheduled); err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.CrawlOnce(ctx, cfg, "forum", false, time.Now(), logger)
	if err != nil || res.Verdict != "ok" {
		t.Fatalf("manual crawl of a free source: %+v, %v", res.Verdict, err)
	}
	if heldBy, err := inflight.Hold(ctx, scheduled); err != nil || heldBy != "" {
		t.Fatalf("after the manual crawl the source is still held by %q (%v)", heldBy, err)
	}
}

// forumSite serves testdata/crawl's pages (page1, page2, …) and returns the server and the
// absolute path of their selectors file.
func forumSite(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "crawl", filepath.Base(r.URL.Path)+".html"))
	}))
	t.Cleanup(srv.Close)
	selectors, err := filepath.Abs("testdata/crawl/selectors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return srv, selectors
}

// serversOfTest is the test's Redis and MySQL, also set as the configuration's environment.
func serversOfTest(t *testing.T) testenv.Env {
	t.Helper()
	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	return env
}
