package pipeline_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/sinks"
)

// testConfig is a config on env's servers and topic prefix, with a file sink in dir.
func testConfig(t *testing.T, env testenv.Env, dir string) *config.Config {
	t.Helper()
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline:
  consumers: {normalize: 4, match: 2, evaluate: 2, notify: 1}
  close_timeout: 5s
  retry_max_interval: 200ms
rules:
  - {name: iphone, query: '"iphone 15" (二手 OR cheap) -broken', sinks: [file]}
  - {name: acme, query: 'acme (refund OR 退款)', sinks: [file]}
sinks:
  - {name: file, type: file, path: %s}
`, env.Prefix, filepath.Join(dir, "alerts.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// runUntilDrained runs the whole app as `pipeline run --drain` does and returns its exit code.
func runUntilDrained(t *testing.T, cfg *config.Config, opts pipeline.RunOptions) int {
	t.Helper()
	return runUntilDrainedWithin(t, cfg, opts, 60*time.Second)
}

func runUntilDrainedWithin(t *testing.T, cfg *config.Config, opts pipeline.RunOptions, limit time.Duration) int {
	t.Helper()
	opts.Drain = true
	app := pipeline.NewRunApp(cfg, opts, testLogger())
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var sig fx.ShutdownSignal
	select {
	case sig = <-app.Wait():
	case <-ctx.Done():
		t.Fatalf("not drained within %s", limit)
	}
	if err := app.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sig.ExitCode
}

func readAlerts(t *testing.T, path string) []sinks.Line {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sinks.Line
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l sinks.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("alert line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

func alertKeys(lines []sinks.Line) []string {
	var keys []string
	for _, l := range lines {
		keys = append(keys, l.Rule+":"+l.Source+"/"+l.ExternalID+" "+strings.Join(l.Terms, ","))
	}
	sort.Strings(keys)
	return keys
}

func TestRunIngestDrainAlertsOnce(t *testing.T) {
	env := testenv.New(t)
	dir := t.TempDir()
	cfg := testConfig(t, env, dir)

	code := runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"})
	if code != pipeline.ExitBadInput {
		t.Fatalf("exit code %d, want %d for the bad lines", code, pipeline.ExitBadInput)
	}
	want := []string{
		"acme:forum:acme/t1 acme,refund",
		"iphone:fb:test-group/p1 iphone 15,二手",
	}
	got := alertKeys(readAlerts(t, filepath.Join(dir, "alerts.jsonl")))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The same file again, in a new process: every post is a repeat, no new alert.
	runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/posts.jsonl"})
	if n := len(readAlerts(t, filepath.Join(dir, "alerts.jsonl"))); n != len(want) {
		t.Fatalf("second ingest: %d alert lines, want still %d", n, len(want))
	}
}

func TestIngestReportsBadLines(t *testing.T) {
	f, err := os.Open("testdata/posts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pub := &recordingPublisher{}
	res, err := pipeline.Ingest(context.Background(), f, pub, "posts.raw", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Published != 5 || len(pub.msgs) != 5 {
		t.Fatalf("published %d (%d seen), want 5", res.Published, len(pub.msgs))
	}
	var bad []string
	for _, b := range res.Bad {
		bad = append(bad, b.Error())
	}
	want := []string{
		"line 7: not valid JSON at byte 2",
		`line 8: posted_at: "last tuesday" is not RFC 3339`,
		"line 9: external_id: missing",
	}
	if len(bad) != len(want) {
		t.Fatalf("bad lines %q, want %d", bad, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(bad[i], want[i]) {
			t.Errorf("bad line %d: %q does not start with %q", i, bad[i], want[i])
		}
	}
	// Unknown fields are kept in the raw payload.
	if !strings.Contains(string(pub.msgs[3].Payload), `\"thread\":\"billing\"`) && !strings.Contains(string(pub.msgs[3].Payload), `"thread":"billing"`) {
		t.Fatalf("unknown field lost: %s", pub.msgs[3].Payload)
	}
	if got := pub.msgs[0].Metadata.Get(pipeline.MetaCorrelationID); got != "fb:test-group/p1" {
		t.Fatalf("correlation id %q", got)
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("GROUPWATCH_TEST_LOGS") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return quietLogger()
}
