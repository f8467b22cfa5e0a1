package query

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkMatch measures throughput in MB/s of normalized post text. The
// target is at least 100 MB/s on one core with 10,000 rules, and no worse
// than half the 10-rule figure. MB-tables is what the Matcher's tables take
// by count; MB-heap is the live heap it added, as the runtime measures it
// (noisier); cpu-MB/s is throughput by the process's CPU time rather than
// the wall clock, steadier on a machine shared with other work.
//
// variants=fold is the default (every rule folds Chinese variants, so each
// post is folded before the scan; the workload's Chinese is Traditional, so
// almost every post has characters to fold); variants=exact makes every rule
// exact, which skips folding altogether: the figure without folding.
func BenchmarkMatch(b *testing.B) {
	posts := workloadPosts(64)
	total := 0
	for _, p := range posts {
		total += len(p)
	}
	for _, n := range []int{10, 1000, 10000} {
		for _, exact := range []bool{false, true} {
			b.Run(fmt.Sprintf("rules=%d/variants=%s", n, map[bool]string{false: "fold", true: "exact"}[exact]), func(b *testing.B) {
				benchmarkMatch(b, posts, total, n, exact)
			})
		}
	}
}

// benchmarkMatch runs one BenchmarkMatch case: n workload rules, all exact or
// all folding, over posts of total bytes.
func benchmarkMatch(b *testing.B, posts []string, total, n int, exact bool) {
	rules := workloadRules(b, n)
	for i := range rules {
		rules[i].Exact = exact
	}
	before := liveHeap()
	m, err := Compile(rules)
	if err != nil {
		b.Fatal(err)
	}
	heap := liveHeap() - before
	matches := 0
	for _, p := range posts {
		matches += len(m.Match(p))
	}
	b.SetBytes(int64(total / len(posts)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := processCPU()
	i := 0
	for b.Loop() {
		m.Match(posts[i%len(posts)])
		i++
	}
	if cpu1, ok := processCPU(); cpuOK && ok && cpu1 > cpu0 {
		// MB/s by CPU time: what one core does when it is not shared.
		b.ReportMetric(float64(total/len(posts))*float64(i)/1e6/(cpu1-cpu0).Seconds(), "cpu-MB/s")
	}
	b.ReportMetric(float64(heap)/1e6, "MB-heap")
	b.ReportMetric(float64(m.sizeBytes())/1e6, "MB-tables")
	b.ReportMetric(float64(matches)/float64(len(posts)), "matches/post")
	runtime.KeepAlive(m)
}

func BenchmarkCompile(b *testing.B) {
	rules := workloadRules(b, 10000)
	for b.Loop() {
		if _, err := Compile(rules); err != nil {
			b.Fatal(err)
		}
	}
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
