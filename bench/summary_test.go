package bench

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// hopResults are BenchmarkHop's msgs/s by stage; results the other figures the summary
// line relates: the end-to-end burst's posts/s and the baselines of the same run.
var (
	hopResults sync.Map
	resultsMu  sync.Mutex
	results    = map[string]float64{}
)

const (
	resultBurst       = "burst"
	resultRedisStream = "redis-stream"
	resultMySQL2      = "mysql-upsert-2"
	resultPacedRate   = "paced-rate"
	resultPaced       = "paced"
	resultPacedP99    = "paced-p99"
)

// keptUp is how close to its publishing rate a paced run must drain to count as keeping up:
// its posts/s run from first publish to drained, so a pipeline that falls behind shows.
const keptUp = 0.95

func record(name string, v float64) {
	resultsMu.Lock()
	results[name] = v
	resultsMu.Unlock()
}

// TestMain prints, after the benchmarks, one line relating the end-to-end burst and each
// hop to the baselines measured in the same run, and the paced run's p99 (each figure only
// when it was measured). bench/rounds.sh runs it several times and takes the medians.
func TestMain(m *testing.M) {
	code := m.Run()
	if line := summary(); line != "" {
		fmt.Println(line)
	}
	os.Exit(code)
}

func summary() string {
	resultsMu.Lock()
	defer resultsMu.Unlock()
	redisBase, mysqlBase := results[resultRedisStream], results[resultMySQL2]
	ratio := func(v, base float64, name string) string {
		if base == 0 {
			return ""
		}
		return fmt.Sprintf(", %.2f of %s", v/base, name)
	}
	var parts []string
	if burst := results[resultBurst]; burst > 0 {
		parts = append(parts, fmt.Sprintf("end to end %.0f posts/s", burst)+
			ratio(burst, redisBase, "the Redis stream baseline")+ratio(burst, mysqlBase, "the 2-writer upsert baseline"))
	}
	for _, stage := range []string{"normalize", "match"} {
		if v, ok := hopResults.Load(stage); ok {
			parts = append(parts, fmt.Sprintf("%s hop %.0f msgs/s", stage, v.(float64))+ratio(v.(float64), redisBase, "the Redis stream baseline"))
		}
	}
	if rate := results[resultPacedRate]; rate > 0 {
		verdict := "kept up"
		if results[resultPaced] < keptUp*rate {
			verdict = fmt.Sprintf("did not keep up (%.0f posts/s)", results[resultPaced])
		}
		parts = append(parts, fmt.Sprintf("paced %.0f posts/s %s, p99 %.0f ms", rate, verdict, results[resultPacedP99]))
	}
	if len(parts) == 0 {
		return ""
	}
	return "summary: " + strings.Join(parts, "; ")
}

// The summary relates each figure to its same-run baseline and tells a paced run that fell
// behind from one that kept up; bench/rounds.sh reads it with these very patterns.
func TestSummary(t *testing.T) {
	resultsMu.Lock()
	saved := results
	results = map[string]float64{
		resultBurst: 5000, resultRedisStream: 40000, resultMySQL2: 20000,
		resultPacedRate: 2500, resultPaced: 2300, resultPacedP99: 41.4,
	}
	resultsMu.Unlock()
	defer func() {
		resultsMu.Lock()
		results = saved
		resultsMu.Unlock()
	}()
	got := summary()
	for _, want := range []string{
		"summary: end to end 5000 posts/s, 0.12 of the Redis stream baseline, 0.25 of the 2-writer upsert baseline",
		"paced 2500 posts/s did not keep up (2300 posts/s), p99 41 ms",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
	resultsMu.Lock()
	results[resultPaced] = 2490
	resultsMu.Unlock()
	if got := summary(); !strings.Contains(got, "paced 2500 posts/s kept up, p99 41 ms") {
		t.Errorf("summary %q: want the paced run to have kept up", got)
	}
}
