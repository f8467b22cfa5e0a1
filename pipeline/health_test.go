package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// A source whose page says the account is blocked: the crawl pauses it and the health stage
// sends one source-health alert to the configured sinks.
func TestBlockedSourceRaisesAHealthAlert(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, "../sources/testdata/facebook/blocked.html")
	}))
	defer srv.Close()
	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	dir := t.TempDir()
	cookies := filepath.Join(dir, "cookies.txt")
	writeFile(t, cookies, "127.0.0.1\tFALSE\t/\tFALSE\t0\tc_user\t1\n127.0.0.1\tFALSE\t/\tFALSE\t0\txs\tx\n")
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline: {consumers: {normalize: 1, match: 1, evaluate: 1, notify: 1, crawl: 1}}
sources:
  - {name: group, kind: facebook_group, url: '%s/groups/1/', every: 1h, cookies: '%s', min_interval: 1s, cooldown: 2h}
health: {sinks: [file]}
rules: [{name: acme, query: acme, sinks: [file]}]
sinks: [{name: file, type: file, path: %s}]
`, env.Prefix, srv.URL, cookies, filepath.Join(dir, "alerts.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := pipeline.NewJobMessage(crawl.Job{V: 1, ID: "group@1", Source: "group"})
	pub := newPublisher(t, env)
	if err := pub.Publish(pipeline.NewTopics(cfg.Topics.Prefix).CrawlJobs(), msg); err != nil {
		t.Fatal(err)
	}
	runUntilDrained(t, cfg, pipeline.RunOptions{})
	alerts := readAlerts(t, filepath.Join(dir, "alerts.jsonl"))
	if len(alerts) != 1 || alerts[0].Rule != "source-health" || alerts[0].Source != "group" || alerts[0].Kind != "health" {
		t.Fatalf("alerts %+v", alerts)
	}
	st, err := storeFor(t, env).Source(context.Background(), "group")
	if err != nil || st.State != crawl.StatePaused {
		t.Fatalf("source state %+v %v", st, err)
	}
}
