package pipeline

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"groupwatch/config"
)

// exportedNames are the metric names this process exports: groupwatch's own collectors,
// each histogram with its _bucket, _sum and _count series.
func exportedNames(t *testing.T) map[string]bool {
	m := NewMetrics()
	collectors := []prometheus.Collector{m.processed, m.failed, m.poisoned, m.latency, m.CrawlTicksSkipped, m.CrawlJobsPutOff, m.CrawlRuns,
		newStateCollector(&config.Config{}, nil, nil, nil)}
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	names := map[string]bool{}
	for _, c := range collectors {
		ch := make(chan *prometheus.Desc, 32)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			n := fqName.FindStringSubmatch(d.String())
			if n == nil {
				t.Fatalf("cannot read the name of %s", d)
			}
			names[n[1]] = true
		}
	}
	for _, h := range []string{"groupwatch_end_to_end_latency_seconds"} {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			names[h+suffix] = true
		}
	}
	return names
}

// Series Prometheus makes itself, not the process.
var prometheusOwn = map[string]bool{"up": true}

var metricName = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)

// namesIn picks the metric names out of a PromQL expression: identifiers that are neither
// functions, keywords, label names, nor inside quotes or braces.
func namesIn(expr string) []string {
	expr = regexp.MustCompile(`"[^"]*"`).ReplaceAllString(expr, `""`)
	expr = regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(expr, "")
	expr = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`).ReplaceAllString(expr, "")
	expr = regexp.MustCompile(`\[[^\]]*\]`).ReplaceAllString(expr, "")
	var out []string
	for _, loc := range metricName.FindAllStringIndex(expr, -1) {
		word := expr[loc[0]:loc[1]]
		rest := strings.TrimLeft(expr[loc[1]:], " ")
		if strings.HasPrefix(rest, "(") { // a function or an aggregation
			continue
		}
		switch word {
		case "and", "or", "unless", "bool", "offset", "le":
			continue
		}
		out = append(out, word)
	}
	return out
}

func TestNamesIn(t *testing.T) {
	got := namesIn(`histogram_quantile(0.5, sum by (le, stage) (rate(groupwatch_x_bucket{a="b c"}[5m]))) > 2 * max by (source) (g_y) and up{job="x"} == 0`)
	if strings.Join(got, ",") != "groupwatch_x_bucket,g_y,up" {
		t.Fatalf("names: %v", got)
	}
}

// The dashboard and the alerting rules ask only for metrics the process exports.
func TestDeployNamesOnlyExportedMetrics(t *testing.T) {
	exported := exportedNames(t)
	var exprs []string
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	b, err := os.ReadFile("../deploy/grafana/groupwatch.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert, Expr string
			}
		}
	}
	b, err = os.ReadFile("../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatalf("alerts: %v", err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	used := map[string]bool{}
	for _, e := range exprs {
		names := namesIn(e)
		if len(names) == 0 {
			t.Errorf("no metric in %q", e)
		}
		for _, n := range names {
			used[n] = true
			if !exported[n] && !prometheusOwn[n] {
				t.Errorf("%q asks for %s, which groupwatch does not export", e, n)
			}
		}
	}
	// What the issue asks the dashboard and the rules to cover.
	for _, want := range []string{"groupwatch_stage_processed_total", "groupwatch_consumer_group_lag", "groupwatch_end_to_end_latency_seconds_bucket",
		"groupwatch_stage_failed_attempts_total", "groupwatch_stage_poisoned_total", "groupwatch_deliveries", "groupwatch_crawl_runs_total",
		"groupwatch_source_state", "groupwatch_source_last_crawl_timestamp_seconds", "up"} {
		if !used[want] {
			t.Errorf("neither the dashboard nor the rules use %s", want)
		}
	}
	var names []string
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("metrics used: %s", strings.Join(names, ", "))
}

// promtool accepts the alerting rules. It is installable as Debian's prometheus package;
// CI installs it, so there the test must run.
func TestPrometheusRules(t *testing.T) {
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must check the rules: %v", err)
		}
		t.Skipf("skipping: no promtool (apt-get install prometheus): %v", err)
	}
	out, err := exec.Command(path, "check", "rules", "../deploy/prometheus/alerts.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
