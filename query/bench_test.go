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
// (noisier).
func BenchmarkMatch(b *testing.B) {
	posts := workloadPosts(64)
	total := 0
	for _, p := range posts {
		total += len(p)
	}
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			rules := workloadRules(b, n)
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
			i := 0
			for b.Loop() {
				m.Match(posts[i%len(posts)])
				i++
			}
			b.ReportMetric(float64(heap)/1e6, "MB-heap")
			b.ReportMetric(float64(m.sizeBytes())/1e6, "MB-tables")
			b.ReportMetric(float64(matches)/float64(len(posts)), "matches/post")
			runtime.KeepAlive(m)
		})
	}
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
