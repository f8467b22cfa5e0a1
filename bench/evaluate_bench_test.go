package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/store"
)

// BenchmarkEvaluateThresholds measures the evaluate stage's handler on real MariaDB with
// 1,000 threshold rules of 100 keys each (group_by source, 100 sources): every matched post
// is counted in its window, most stay under the count, some fire. It reports matched posts
// evaluated per second with 16 concurrent consumers, as the stage runs them. Only 1% of
// posts match in the end-to-end workload, so this rate times 100 is the posts/s the stage
// could follow.
func BenchmarkEvaluateThresholds(b *testing.B) {
	env := realEnv(b)
	s := store.New(env.DB(b), store.Options{})
	defer s.Close()
	ctx := context.Background()
	const nRules, nKeys = 1000, 100
	rules := make([]config.Rule, nRules)
	for i := range rules {
		rules[i] = config.Rule{Name: fmt.Sprintf("t%04d", i), Query: "x", Type: config.RuleThreshold}
	}
	ids, err := s.SyncRules(ctx, rules)
	if err != nil {
		b.Fatal(err)
	}
	info := map[string]handlers.RuleInfo{}
	for _, r := range rules {
		info[r.Name] = handlers.RuleInfo{ID: ids[r.Name], Kind: "threshold", Sinks: []string{"out"}, Threshold: handlers.ThresholdSpec{
			Count: 20, Window: time.Hour, GroupBy: "source", Realert: time.Hour, RealertMax: time.Hour}}
	}
	e := handlers.Evaluate{Rules: info, Store: s, Thresholds: s, Silences: s}
	var postID, alerts atomic.Int64
	b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 consumers
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(uint64(postID.Add(1)), 7))
		for pb.Next() {
			id := postID.Add(1)
			in := handlers.MatchedPost{V: handlers.Version, PostID: id, Source: fmt.Sprintf("src%02d", r.IntN(nKeys)),
				ExternalID: fmt.Sprint(id), Matches: []handlers.RuleMatch{{Rule: fmt.Sprintf("t%04d", r.IntN(nRules)), Terms: []string{"x"}}}}
			out, err := e.Handle(ctx, in)
			if err != nil {
				b.Error(err)
				return
			}
			alerts.Add(int64(len(out)))
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "matches/s")
	b.ReportMetric(float64(alerts.Load()), "alerts")
}
