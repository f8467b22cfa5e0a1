package handlers

import (
	"context"
	"fmt"
	"math"
	"time"

	"groupwatch/config"
)

// ThresholdSpec is a threshold rule's settings (config.Threshold, defaults applied).
type ThresholdSpec struct {
	// Count is the fixed count, or with a baseline the least count.
	Count int
	// Baseline, when above zero, makes the count mean + Baseline × spread of the key's
	// daily counts (keyword_daily, the last BaselineDays days), scaled to the window.
	Baseline     float64
	BaselineDays int
	MinDays      int
	Window       time.Duration
	GroupBy      string // rule, source, author or term
	Realert      time.Duration
	Backoff      bool
	RealertMax   time.Duration
}

// FireState is where a (rule, key) stands between firings.
type FireState struct {
	NextAllowed  time.Time     // it may not fire before
	Realert      time.Duration // the cool-down it is on
	LastFired    time.Time     // zero: never fired
	LastDedupKey string        // of the alert it fired last
}

// ThresholdStore keeps what threshold rules count and when they fired.
type ThresholdStore interface {
	// RecordMatch counts the post under (rule, key) once, at, and returns the times of the
	// key's matches in (since, at], in order: a clock in the past (a simulation) does not
	// count what was recorded after it.
	RecordMatch(ctx context.Context, ruleID int64, key string, postID int64, at, since time.Time) ([]time.Time, error)
	// FireState returns the key's state (a fresh key may fire at once).
	FireState(ctx context.Context, ruleID int64, key string) (FireState, error)
	// DailyCounts returns the key's match count on each day the daily ETL computed in
	// [from, to), zeros included.
	DailyCounts(ctx context.Context, ruleID int64, groupBy, key string, from, to time.Time) ([]int, error)
	// TryFire moves the state from prev to fired-at-now, cooling down for realert, if it
	// still is prev: false when another consumer fired first.
	TryFire(ctx context.Context, ruleID int64, key string, prev FireState, now time.Time, realert time.Duration, dedupKey string) (bool, error)
}

// trendBuckets is how many bars a threshold alert's trend has.
const trendBuckets = 12

// evaluateThreshold counts the match under each of its group keys and fires, once per
// crossing and then once per cool-down, for every key at or over the count. The state is
// moved first (a compare-and-set, so concurrent consumers fire once) and the alert is stored
// after; the post that fired, delivered again, finds its dedup key in the state and stores and
// publishes the same alert, so a crash or a failed publish in between loses nothing.
func (e Evaluate) evaluateThreshold(ctx context.Context, in MatchedPost, m RuleMatch, rule RuleInfo) ([]Alert, error) {
	spec := rule.Threshold
	now := e.now()
	var out []Alert
	for _, key := range groupKeys(spec.GroupBy, in, m) {
		times, err := e.Thresholds.RecordMatch(ctx, rule.ID, key, in.PostID, now, now.Add(-spec.Window))
		if err != nil {
			return nil, fmt.Errorf("cannot count matches of rule %q, key %q: %w", m.Rule, key, err)
		}
		st, err := e.Thresholds.FireState(ctx, rule.ID, key)
		if err != nil {
			return nil, fmt.Errorf("cannot read state of rule %q, key %q: %w", m.Rule, key, err)
		}
		dedup := DedupKey(string(config.RuleThreshold), m.Rule, key, in.Source+"/"+in.ExternalID)
		if st.LastDedupKey != dedup {
			if now.Before(st.NextAllowed) {
				continue
			}
			need, err := e.countNeeded(ctx, rule, key, now)
			if err != nil {
				return nil, err
			}
			if need == 0 || len(times) < need {
				continue
			}
			fired, err := e.Thresholds.TryFire(ctx, rule.ID, key, st, now, realertFor(spec, st, now), dedup)
			if err != nil {
				return nil, fmt.Errorf("cannot fire rule %q, key %q: %w", m.Rule, key, err)
			}
			if !fired {
				continue // another consumer fired this crossing
			}
		}
		summary := fmt.Sprintf("%d matches in %s for %s %s (threshold %d)", len(times), spec.Window, spec.GroupBy, key, spec.Count)
		if spec.Baseline > 0 {
			summary = fmt.Sprintf("%d matches in %s for %s %s (over its baseline + %gσ)", len(times), spec.Window, spec.GroupBy, key, spec.Baseline)
		}
		suppressed, err := e.silence(ctx, m.Rule, key)
		if err != nil {
			return nil, err
		}
		stored, err := e.Store.CreateAlert(ctx, AlertRecord{DedupKey: dedup, RuleID: rule.ID, PostID: in.PostID, Kind: rule.Kind,
			Terms: m.Terms, Suppressed: suppressed, Summary: summary, Backfill: e.Backfill})
		if err != nil {
			return nil, fmt.Errorf("cannot store alert of rule %q on post %d: %w", m.Rule, in.PostID, err)
		}
		if stored.Published || stored.Suppressed != "" {
			continue
		}
		a := alertFor(in, m, rule, dedup, stored)
		a.GroupKey = key
		a.Summary = summary
		a.Trend = trend(times, now.Add(-spec.Window), now, trendBuckets)
		out = append(out, a)
	}
	return out, nil
}

// countNeeded is the count that fires: the fixed one, or, with a baseline, mean + k × spread
// of the key's daily counts scaled to the window (at least Count, at least 1). 0: do not fire
// (a baseline without enough days of history and no fixed count to fall back on).
func (e Evaluate) countNeeded(ctx context.Context, rule RuleInfo, key string, now time.Time) (int, error) {
	spec := rule.Threshold
	if spec.Baseline <= 0 {
		return spec.Count, nil
	}
	today := now.UTC().Truncate(24 * time.Hour)
	counts, err := e.Thresholds.DailyCounts(ctx, rule.ID, spec.GroupBy, key, today.AddDate(0, 0, -spec.BaselineDays), today)
	if err != nil {
		return 0, fmt.Errorf("cannot read the baseline of rule %d, key %q: %w", rule.ID, key, err)
	}
	if len(counts) < spec.MinDays {
		return spec.Count, nil
	}
	mean, sd := meanSD(counts)
	perWindow := (mean + spec.Baseline*sd) * spec.Window.Hours() / 24
	need := int(math.Ceil(perWindow))
	if perWindow == float64(need) {
		need++ // strictly above the baseline
	}
	return max(need, spec.Count, 1), nil
}

func meanSD(xs []int) (float64, float64) {
	var sum float64
	for _, x := range xs {
		sum += float64(x)
	}
	mean := sum / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (float64(x) - mean) * (float64(x) - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)))
}

// realertFor is the cool-down after this firing: the base one, or, with backoff, double the
// last while the rule keeps firing (it fired again within a cool-down and a window).
func realertFor(spec ThresholdSpec, st FireState, now time.Time) time.Duration {
	if !spec.Backoff || st.LastFired.IsZero() || st.Realert == 0 || now.Sub(st.LastFired) > st.Realert+spec.Window {
		return spec.Realert
	}
	return min(st.Realert*2, spec.RealertMax)
}

// groupKeys are the keys a match counts under.
func groupKeys(groupBy string, in MatchedPost, m RuleMatch) []string {
	switch groupBy {
	case "source":
		return []string{in.Source}
	case "author":
		if in.Author == "" {
			return []string{"(unknown author)"}
		}
		return []string{in.Author}
	case "term":
		return m.Terms
	}
	return []string{"*"}
}

// trend counts times into n equal intervals from start to end.
func trend(times []time.Time, start, end time.Time, n int) []TrendPoint {
	step := end.Sub(start) / time.Duration(n)
	if step <= 0 {
		return nil
	}
	out := make([]TrendPoint, n)
	for i := range out {
		out[i].At = start.Add(time.Duration(i) * step).UTC()
	}
	for _, t := range times {
		i := int(t.Sub(start) / step)
		if i >= 0 && i < n {
			out[i].Count++
		} else if i == n {
			out[n-1].Count++
		}
	}
	return out
}
