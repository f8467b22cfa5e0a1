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
)

func record(name string, v float64) {
	resultsMu.Lock()
	results[name] = v
	resultsMu.Unlock()
}

// TestMain prints, after the benchmarks, one line relating the end-to-end burst and each
// hop to the baselines measured in the same run (each figure only when it was measured).
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
	if len(parts) == 0 {
		return ""
	}
	return "summary: " + strings.Join(parts, "; ")
}
