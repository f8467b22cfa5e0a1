package pipeline_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// A threshold rule through the whole pipeline: five complaints from one source within the
// window fire once; a second source with two does not; ingesting again fires nothing more.
func TestThresholdRuleThroughThePipeline(t *testing.T) {
	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	dir := t.TempDir()
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline: {consumers: {normalize: 4, match: 2, evaluate: 2, notify: 1}}
rules:
  - name: complaints
    type: threshold
    query: 'acme (refund OR 退款)'
    threshold: {count: 3, window: 1h, group_by: source}
    sinks: [file]
sinks: [{name: file, type: file, path: %s}]
`, env.Prefix, filepath.Join(dir, "alerts.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	var lines strings.Builder
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&lines, `{"source":"forum:a","external_id":"a%d","text":"acme 退款 #%d"}`+"\n", i, i)
	}
	for i := 0; i < 2; i++ {
		fmt.Fprintf(&lines, `{"source":"forum:b","external_id":"b%d","text":"acme refund #%d"}`+"\n", i, i)
	}
	posts := filepath.Join(dir, "posts.jsonl")
	os.WriteFile(posts, []byte(lines.String()), 0o644)
	for round := 0; round < 2; round++ {
		runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: posts})
	}
	alerts := readAlerts(t, filepath.Join(dir, "alerts.jsonl"))
	if len(alerts) != 1 || alerts[0].Kind != "threshold" || alerts[0].GroupKey != "forum:a" || !strings.Contains(alerts[0].Summary, "for source forum:a (threshold 3)") {
		t.Fatalf("alerts %+v", alerts)
	}
}
