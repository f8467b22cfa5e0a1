package pipeline_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/store"
)

// TestChineseVariantsEndToEnd runs the whole pipeline over posts in Simplified and
// Traditional Chinese: a rule in one script alerts on posts in the other, a rule with
// variants: exact only on its own characters, and a word that differs by vocabulary
// (软件 / 軟體) does not match.
func TestChineseVariantsEndToEnd(t *testing.T) {
	env := testenv.New(t)
	dir := t.TempDir()
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline:
  consumers: {normalize: 2, match: 2, evaluate: 2, notify: 1}
  close_timeout: 5s
  retry_max_interval: 200ms
rules:
  - {name: camera-trad, query: '相機', sinks: [file]}
  - {name: price-simp, query: '价格', sinks: [file]}
  - {name: camera-trad-exact, query: '相機', variants: exact, sinks: [file]}
  - {name: price-simp-exact, query: '价格', variants: exact, sinks: [file]}
  - {name: here-mainland, query: '这里', sinks: [file]}
  - {name: software-simp, query: '软件', sinks: [file]}
sinks:
  - {name: file, type: file, path: %s}
`, env.Prefix, filepath.Join(dir, "alerts.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	if code := runUntilDrained(t, cfg, pipeline.RunOptions{Ingest: "testdata/variant_posts.jsonl"}); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	got := alertKeys(readAlerts(t, filepath.Join(dir, "alerts.jsonl")))
	want := []string{
		"camera-trad-exact:fb:hk/t1 相機", // its own characters
		"camera-trad:fb:hk/t1 相機",
		"camera-trad:fb:mainland/s1 相機", // 相机: Simplified post, Traditional rule
		"here-mainland:fb:tw/t2 这里",     // 這裡: Taiwan form, Simplified rule
		"price-simp:fb:hk/t1 价格",        // 價格: Traditional post, Simplified rule
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("alerts:\n got %q\nwant %q", got, want)
	}
	for _, l := range readAlerts(t, filepath.Join(dir, "alerts.jsonl")) {
		if l.ExternalID == "s1" && l.Text != "出售二手相机，九成新" {
			t.Errorf("alert text %q is not the post as written", l.Text)
		}
	}

	// rules test says which matches came only through folding.
	posts := store.NewAdmin(env.DB(t)).Posts()
	since := time.Now().Add(-time.Hour)
	rep, err := pipeline.TestRule(context.Background(), cfg.Rules[0], posts, nil, since)
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string][]string{}
	for _, a := range rep.Alerts {
		shown[a.ExternalID] = a.TermsShown()
	}
	if want := map[string][]string{"s1": {"相機 ~ 相机"}, "t1": {"相機"}}; !reflect.DeepEqual(shown, want) {
		t.Errorf("rules test terms %q, want %q", shown, want)
	}
	exact, err := pipeline.TestRule(context.Background(), cfg.Rules[2], posts, nil, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(exact.Alerts) != 1 || exact.Alerts[0].ExternalID != "t1" || exact.Alerts[0].Variants != nil {
		t.Errorf("rules test of an exact rule: %+v", exact.Alerts)
	}
}
