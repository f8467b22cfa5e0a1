package simulate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/simulate"
)

// posts is a stored-posts reader in memory, paged as the store pages.
type posts []simulate.Post

func (p posts) PostsSince(_ context.Context, since time.Time, after int64, limit int) ([]simulate.Post, error) {
	var out []simulate.Post
	for _, x := range p {
		if x.ID > after && !x.FirstSeenAt.Before(since) && len(out) < limit {
			out = append(out, x)
		}
	}
	return out, nil
}

func (p posts) CountPostsSince(ctx context.Context, since time.Time) (int, error) {
	all, err := p.PostsSince(ctx, since, 0, len(p))
	return len(all), err
}

type history []int

func (h history) DailyCounts(context.Context, int64, string, string, time.Time, time.Time) ([]int, error) {
	return h, nil
}

func TestRunThresholdOnSimulatedClock(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	var stored posts
	// Five posts, the third committed with a first sight a little before the second's.
	for i, offset := range []time.Duration{0, 10 * time.Minute, 9 * time.Minute, 3 * time.Hour, 3*time.Hour + time.Minute} {
		stored = append(stored, simulate.Post{ID: int64(i + 1), Source: "fb:g", ExternalID: fmt.Sprint(i + 1), Text: "Acme refund", FirstSeenAt: t0.Add(offset)})
	}
	stored = append(stored, simulate.Post{ID: 9, Source: "fb:g", ExternalID: "9", Text: "nothing", FirstSeenAt: t0})
	fixed := handlers.ThresholdSpec{Count: 3, Window: time.Hour, GroupBy: "rule", Realert: time.Hour, RealertMax: time.Hour}
	baseline := handlers.ThresholdSpec{Baseline: 1, BaselineDays: 7, MinDays: 3, Window: 24 * time.Hour, GroupBy: "rule", Realert: time.Hour, RealertMax: time.Hour}
	tests := []struct {
		name    string
		spec    handlers.ThresholdSpec
		history simulate.History
		want    []string // external ids of the posts that fire
	}{
		{"fixed count, window of an hour", fixed, nil, []string{"3"}},
		// Daily counts of 2 with no spread: more than 2 a day fires, again after the cool-down.
		{"baseline from the history", baseline, history{2, 2, 2, 2}, []string{"3", "4"}},
		{"baseline without history and no fixed count", baseline, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fired []string
			var clocks []time.Time
			info := handlers.RuleInfo{ID: 4, Kind: config.RuleThreshold, Threshold: tt.spec}
			res, err := simulate.Run(context.Background(), config.Rule{Name: "spike", Query: "acme"}, info, stored, t0.Add(-time.Hour),
				simulate.Options{History: tt.history}, func(st simulate.Step) error {
					clocks = append(clocks, st.At)
					for _, a := range st.Alerts {
						fired = append(fired, a.ExternalID)
					}
					return nil
				})
			if err != nil || res.Posts != 6 || res.Matches != 5 {
				t.Fatalf("run: %+v %v, want 6 posts read and 5 matched", res, err)
			}
			if fmt.Sprint(fired) != fmt.Sprint(tt.want) {
				t.Fatalf("fired on %v, want %v", fired, tt.want)
			}
			for i := 1; i < len(clocks); i++ {
				if clocks[i].Before(clocks[i-1]) {
					t.Fatalf("the simulated clock went back: %v", clocks)
				}
			}
		})
	}
}
