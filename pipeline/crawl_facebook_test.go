package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/internal/fakefacebook"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
)

// Today's Facebook through the whole pipeline, with each fetcher, against the fake on
// 127.0.0.1: a run killed after its first page resumes from its stored cursor, the next
// run reads the top of the feed and stops at stored posts, every post is stored once, the
// rule's alerts fire once, and a block pauses the source and raises a health alert.
func TestFacebookGroupThroughThePipeline(t *testing.T) {
	for _, fetch := range []string{config.FetchHTTP, config.FetchBrowser} {
		t.Run(fetch, func(t *testing.T) {
			if fetch == config.FetchBrowser {
				_, err := crawl.FindChromium("")
				fakefacebook.SkipWithoutChromium(t, err)
			}
			testFacebookGroupThroughThePipeline(t, fetch)
		})
	}
}

func testFacebookGroupThroughThePipeline(t *testing.T, fetch string) {
	srv, err := fakefacebook.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	dir := t.TempDir()
	cookies := filepath.Join(dir, "cookies.txt")
	writeFile(t, cookies, fmt.Sprintf("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tc_user\t%s\n#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\txs\t%s\n", fakefacebook.UserID, fakefacebook.XS))
	alertsFile := filepath.Join(dir, "alerts.jsonl")
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline: {consumers: {normalize: 1, match: 1, evaluate: 1, notify: 1, crawl: 1}}
crawl: {browser_profiles: '%s', browser_time_limit: 60s}
sources:
  - {name: makers, kind: facebook_group, url: '%s', every: 1h, cookies: '%s', min_interval: 1s, cooldown: 2h, stop_after_seen: 2, fetch: %s}
health: {sinks: [file]}
rules: [{name: used, query: '二手', sinks: [file]}]
sinks: [{name: file, type: file, path: %s}]
`, env.Prefix, filepath.Join(dir, "profiles"), srv.GroupURL(fakefacebook.GroupID), cookies, fetch, alertsFile)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := storeFor(t, env)
	if err := st.SyncSources(ctx, cfg.Sources); err != nil {
		t.Fatal(err)
	}
	pub := newPublisher(t, env)
	crawlJob := func(n int) crawl.Job {
		job := crawl.Job{V: 1, ID: crawl.JobID("makers", time.Date(2026, 11, 27, n, 0, 0, 0, time.UTC)), Source: "makers"}
		msg, _ := pipeline.NewJobMessage(job)
		if err := pub.Publish(pipeline.NewTopics(cfg.Topics.Prefix).CrawlJobs(), msg); err != nil {
			t.Fatal(err)
		}
		return job
	}
	q := queries.New(env.DB(t))
	run := func(job crawl.Job) queries.CrawlRun {
		t.Helper()
		// A browser on a loaded machine can take minutes.
		if code := runUntilDrainedWithin(t, cfg, pipeline.RunOptions{}, 4*time.Minute); code != 0 {
			t.Fatalf("exit %d", code)
		}
		r, err := q.GetCrawlRun(ctx, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	stories := srv.Stories()

	// A run that died after its first page: its job comes again, and the run resumes at
	// the stored cursor (the first page is opened again only for the query and tokens).
	job1 := crawl.Job{V: 1, ID: crawl.JobID("makers", time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)), Source: "makers"}
	if _, _, err := st.StartRun(ctx, job1, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveProgress(ctx, job1.ID, crawl.Progress{Cursor: "graphql-cursor:AQHRfake3cursor", Pages: 1, New: 4}, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // the dead run's lease lapses
	crawlJob(1)
	r := run(job1)
	if r.Verdict != "ok" || r.Pages != 3 || r.PostsNew != 9 || r.CursorUrl != "" {
		t.Fatalf("resumed run %+v", r)
	}
	if n, _ := q.CountPosts(ctx); n != 5 {
		t.Fatalf("%d posts stored after the resumed run, want the 5 of pages 2 and 3", n)
	}
	cursors, problem := srv.Cursors()
	if problem != "" || strings.Join(cursors, ",") != "AQHRfake3cursor,AQHRfake6cursor" {
		t.Fatalf("GraphQL POSTs %v (%s)", cursors, problem)
	}

	// The next run reads the top of the feed, stops at the stored posts of page 2, and
	// stores each post once.
	r = run(crawlJob(2))
	if r.Verdict != "ok" || r.Pages != 2 || r.PostsNew != 4 || r.PostsSeen != 3 {
		t.Fatalf("second run %+v", r)
	}
	if n, _ := q.CountPosts(ctx); n != int64(len(stories)) {
		t.Fatalf("%d posts stored, want %d", n, len(stories))
	}
	alerts := readAlerts(t, alertsFile)
	if len(alerts) != 2 {
		t.Fatalf("alerts %+v", alerts)
	}

	// Blocked: the source pauses and one health alert goes out.
	srv.SetBlocked(true)
	r = run(crawlJob(3))
	if r.Verdict != "blocked" {
		t.Fatalf("blocked run %+v", r)
	}
	src, err := st.Source(ctx, "makers")
	if err != nil || src.State != crawl.StatePaused {
		t.Fatalf("source state %+v %v", src, err)
	}
	alerts = readAlerts(t, alertsFile)
	if len(alerts) != 3 || alerts[2].Kind != "health" || alerts[2].Source != "makers" {
		t.Fatalf("alerts %+v", alerts)
	}

	// The app's stop killed its browser: no process runs on the profiles any more.
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), filepath.Join(dir, "profiles")) {
			t.Fatalf("a browser outlived the app: %s", strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
}
