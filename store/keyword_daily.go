package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"groupwatch/queries"
)

// ComputeDay counts a rule's matches of one UTC day per dimension (the rule, each source,
// author and term) into keyword_daily; the ('rule', '*') row is written even at zero, which
// marks the day as computed. A day's rows and its marker land in one transaction, marker
// last: a failure midway leaves the day not computed (and counted again at the next look),
// never computed with keys missing, which would read as zeros and bias baselines low.
// Running it again rewrites the same rows.
func (s *Store) ComputeDay(ctx context.Context, ruleID int64, day time.Time) error {
	day = day.UTC().Truncate(24 * time.Hour)
	rows, err := s.q.MatchKeysOfRuleBetween(ctx, queries.MatchKeysOfRuleBetweenParams{RuleID: ruleID, CreatedAt: day, CreatedAt_2: day.Add(24 * time.Hour)})
	if err != nil {
		return classify(err)
	}
	type dim struct{ by, key string }
	marker := dim{"rule", "*"}
	counts := map[dim]int{marker: 0}
	for _, r := range rows {
		counts[marker]++
		counts[dim{"source", r.Source}]++
		if r.Author != "" {
			counts[dim{"author", r.Author}]++
		}
		var terms []string
		if err := json.Unmarshal([]byte(r.Terms), &terms); err != nil {
			return fmt.Errorf("cannot read the terms of a match of rule %d on %s: %w", ruleID, day.Format("2006-01-02"), err)
		}
		for _, t := range terms {
			counts[dim{"term", t}]++
		}
	}
	order := make([]dim, 0, len(counts))
	for d := range counts {
		if d != marker {
			order = append(order, d)
		}
	}
	slices.SortFunc(order, func(a, b dim) int { return cmp.Or(cmp.Compare(a.by, b.by), cmp.Compare(a.key, b.key)) })
	order = append(order, marker)
	now := s.now().UTC()
	return s.inTx(ctx, fmt.Sprintf("count rule %d on %s", ruleID, day.Format("2006-01-02")), func(q *queries.Queries) error {
		for _, d := range order {
			if err := q.UpsertKeywordDaily(ctx, queries.UpsertKeywordDailyParams{
				Day: day, RuleID: ruleID, GroupBy: d.by, GroupKey: truncate(d.key, 191), Matches: int32(counts[d]), UpdatedAt: now,
			}); err != nil {
				return classify(err)
			}
		}
		return nil
	})
}

// DaysComputed says which UTC days in [from, to) the ETL has counted for a rule.
func (s *Store) DaysComputed(ctx context.Context, ruleID int64, from, to time.Time) (map[time.Time]bool, error) {
	days, err := s.q.DaysComputed(ctx, queries.DaysComputedParams{RuleID: ruleID, Day: from.UTC(), Day_2: to.UTC()})
	if err != nil {
		return nil, classify(err)
	}
	out := map[time.Time]bool{}
	for _, d := range days {
		out[d.UTC().Truncate(24*time.Hour)] = true
	}
	return out, nil
}

// DailyCounts returns the key's count on each computed day in [from, to), zero where the
// day was computed and the key had no match.
func (s *Store) DailyCounts(ctx context.Context, ruleID int64, groupBy, key string, from, to time.Time) ([]int, error) {
	days, err := s.DaysComputed(ctx, ruleID, from, to)
	if err != nil {
		return nil, err
	}
	rows, err := s.q.DailyCounts(ctx, queries.DailyCountsParams{RuleID: ruleID, GroupBy: groupBy, GroupKey: key, Day: from.UTC(), Day_2: to.UTC()})
	if err != nil {
		return nil, classify(err)
	}
	byDay := map[time.Time]int{}
	for _, r := range rows {
		byDay[r.Day.UTC().Truncate(24*time.Hour)] = int(r.Matches)
	}
	out := make([]int, 0, len(days))
	for d := range days {
		out = append(out, byDay[d])
	}
	return out, nil
}
