package handlers

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// fakeThresholds keeps threshold state in memory.
type fakeThresholds struct {
	events map[string]map[int64]time.Time
	state  map[string]FireState
	daily  []int
}

func (f *fakeThresholds) RecordMatch(_ context.Context, ruleID int64, key string, postID int64, at, since time.Time) ([]time.Time, error) {
	if f.events == nil {
		f.events, f.state = map[string]map[int64]time.Time{}, map[string]FireState{}
	}
	k := fmt.Sprint(ruleID, "/", key)
	if f.events[k] == nil {
		f.events[k] = map[int64]time.Time{}
	}
	if _, ok := f.events[k][postID]; !ok {
		f.events[k][postID] = at
	}
	var out []time.Time
	for _, t := range f.events[k] {
		if t.After(since) && !t.After(at) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out, nil
}

func (f *fakeThresholds) DailyCounts(_ context.Context, _ int64, _, _ string, _, _ time.Time) ([]int, error) {
	return f.daily, nil
}

func (f *fakeThresholds) FireState(_ context.Context, ruleID int64, key string) (FireState, error) {
	return f.state[fmt.Sprint(ruleID, "/", key)], nil
}

func (f *fakeThresholds) TryFire(_ context.Context, ruleID int64, key string, prev FireState, now time.Time, realert time.Duration, dedup string) (bool, error) {
	k := fmt.Sprint(ruleID, "/", key)
	if !f.state[k].NextAllowed.Equal(prev.NextAllowed) { // the compare-and-set MySQL does
		return false, nil
	}
	if f.state == nil {
		f.state = map[string]FireState{}
	}
	f.state[k] = FireState{NextAllowed: now.Add(realert), Realert: realert, LastFired: now, LastDedupKey: dedup}
	return true, nil
}

type thresholdHarness struct {
	e     Evaluate
	clock time.Time
	posts int
}

func newThresholdHarness(spec ThresholdSpec) *thresholdHarness {
	h := &thresholdHarness{clock: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	h.e = Evaluate{
		Rules:      map[string]RuleInfo{"spike": {ID: 9, Kind: "threshold", Sinks: []string{"team"}, Threshold: spec}},
		Store:      &fakeAlerts{},
		Thresholds: &fakeThresholds{},
		Now:        func() time.Time { return h.clock },
	}
	return h
}

// post makes a new matching post, after advancing the clock by d, and says how many alerts it fired.
func (h *thresholdHarness) post(t *testing.T, d time.Duration, source string, terms ...string) []Alert {
	t.Helper()
	h.clock = h.clock.Add(d)
	h.posts++
	in := MatchedPost{V: Version, PostID: int64(h.posts), Source: source, ExternalID: fmt.Sprint(h.posts),
		Matches: []RuleMatch{{Rule: "spike", Terms: terms}}}
	out, err := h.e.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestThresholdFiresOncePerCrossingThenCoolsDown(t *testing.T) {
	h := newThresholdHarness(ThresholdSpec{Count: 3, Window: time.Hour, GroupBy: "rule", Realert: 30 * time.Minute, RealertMax: 24 * time.Hour})
	if a := h.post(t, 0, "s", "acme"); len(a) != 0 {
		t.Fatal("fired at 1 of 3")
	}
	h.post(t, time.Minute, "s", "acme")
	a := h.post(t, time.Minute, "s", "acme")
	if len(a) != 1 || a[0].Kind != "threshold" || a[0].Summary != "3 matches in 1h0m0s for rule * (threshold 3)" || len(a[0].Trend) != trendBuckets {
		t.Fatalf("crossing: %+v", a)
	}
	if a := h.post(t, time.Minute, "s", "acme"); len(a) != 0 {
		t.Fatal("fired again during the cool-down")
	}
	if a := h.post(t, 30*time.Minute, "s", "acme"); len(a) != 1 {
		t.Fatalf("after the cool-down, still over the count: want one alert, got %d", len(a))
	}
	// A window later the old matches have slid out: one new match is not enough.
	if a := h.post(t, 2*time.Hour, "s", "acme"); len(a) != 0 {
		t.Fatal("fired on matches that slid out of the window")
	}
}

func TestThresholdGroupByKeys(t *testing.T) {
	h := newThresholdHarness(ThresholdSpec{Count: 2, Window: time.Hour, GroupBy: "source", Realert: time.Hour, RealertMax: time.Hour})
	h.post(t, 0, "a")
	if a := h.post(t, time.Minute, "b"); len(a) != 0 {
		t.Fatal("two sources counted together")
	}
	a := h.post(t, time.Minute, "a")
	if len(a) != 1 || a[0].GroupKey != "a" {
		t.Fatalf("source a: %+v", a)
	}

	h = newThresholdHarness(ThresholdSpec{Count: 2, Window: time.Hour, GroupBy: "term", Realert: time.Hour, RealertMax: time.Hour})
	h.post(t, 0, "s", "refund", "acme")
	a = h.post(t, time.Minute, "s", "acme")
	if len(a) != 1 || a[0].GroupKey != "acme" {
		t.Fatalf("term acme: %+v", a)
	}
}

func TestThresholdRealertDoublesWhileFiringUpToTheCap(t *testing.T) {
	h := newThresholdHarness(ThresholdSpec{Count: 1, Window: time.Minute, GroupBy: "rule", Realert: 10 * time.Minute, Backoff: true, RealertMax: 25 * time.Minute})
	var gaps []time.Duration
	last := time.Time{}
	for i := 0; i < 120; i++ { // a match every minute for two hours
		if a := h.post(t, time.Minute, "s", "x"); len(a) == 1 {
			if !last.IsZero() {
				gaps = append(gaps, h.clock.Sub(last))
			}
			last = h.clock
		}
	}
	want := []time.Duration{10 * time.Minute, 20 * time.Minute, 25 * time.Minute, 25 * time.Minute}
	for i, w := range want {
		if i >= len(gaps) || gaps[i] != w {
			t.Fatalf("gaps between alerts %v, want them to start %v", gaps, want)
		}
	}
}

func TestThresholdRedeliveryOfTheFiringPostLosesNothing(t *testing.T) {
	h := newThresholdHarness(ThresholdSpec{Count: 1, Window: time.Hour, GroupBy: "rule", Realert: time.Hour, RealertMax: time.Hour})
	in := MatchedPost{V: Version, PostID: 1, Source: "s", ExternalID: "1", Matches: []RuleMatch{{Rule: "spike", Terms: []string{"x"}}}}
	first, err := h.e.Handle(context.Background(), in)
	if err != nil || len(first) != 1 {
		t.Fatalf("first: %+v %v", first, err)
	}
	// The publish failed; the same message comes again, inside the cool-down.
	again, err := h.e.Handle(context.Background(), in)
	if err != nil || len(again) != 1 || again[0].AlertID != first[0].AlertID {
		t.Fatalf("redelivery must publish the same alert again: %+v %v", again, err)
	}
	// Once notify saw it, never again.
	h.e.Store.(*fakeAlerts).rows[first[0].DedupKey].Published = true
	if again, _ := h.e.Handle(context.Background(), in); len(again) != 0 {
		t.Fatal("published alert published again")
	}
}

func TestTrendBuckets(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got := trend([]time.Time{start.Add(time.Minute), start.Add(59 * time.Minute), start.Add(time.Hour)}, start, start.Add(time.Hour), 4)
	if len(got) != 4 || got[0].Count != 1 || got[3].Count != 2 || !got[1].At.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("trend %+v", got)
	}
}

func TestThresholdBaseline(t *testing.T) {
	spec := ThresholdSpec{Baseline: 3, BaselineDays: 28, MinDays: 7, Window: 24 * time.Hour, GroupBy: "rule", Realert: time.Hour, RealertMax: time.Hour}
	tests := []struct {
		name  string
		daily []int
		count int
		want  int
	}{
		{"too little history, no fixed count: never", []int{5, 5}, 0, 0},
		{"too little history: the fixed count", []int{5, 5}, 4, 4},
		{"flat history: just above it", []int{10, 10, 10, 10, 10, 10, 10}, 0, 11},
		{"spread: above mean + 3 sd", []int{8, 12, 8, 12, 8, 12, 8, 12}, 0, 17},
		{"fixed count as a floor", []int{0, 0, 0, 0, 0, 0, 0}, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec
			s.Count = tt.count
			e := Evaluate{Thresholds: &fakeThresholds{daily: tt.daily}}
			got, err := e.countNeeded(context.Background(), RuleInfo{ID: 1, Threshold: s}, "*", time.Now())
			if err != nil || got != tt.want {
				t.Fatalf("count needed %d (%v), want %d", got, err, tt.want)
			}
		})
	}
}
