package pipeline

import (
	"context"
	"fmt"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/queries"
	"groupwatch/query"
	"groupwatch/textnorm"
)

// RuleTestHit is one alert a rule would have made over stored posts.
type RuleTestHit struct {
	At         time.Time `json:"at"` // when the post was first seen: the simulated now
	Source     string    `json:"source"`
	ExternalID string    `json:"external_id"`
	Terms      []string  `json:"terms"`
	// Variants lists, for a term the post holds only as Chinese variants, the post's
	// spellings of it: {"相機": ["相机"]}.
	Variants map[string][]string `json:"variants,omitempty"`
	Summary  string              `json:"summary,omitempty"`
	// Suppressed says why it would not have been sent (a silence in force now).
	Suppressed string `json:"suppressed,omitempty"`
	Text       string `json:"text"`
}

// RuleTestReport is what `pipeline rules test` prints.
type RuleTestReport struct {
	Rule    string        `json:"rule"`
	Since   time.Time     `json:"since"`
	Posts   int           `json:"posts"`
	Matches int           `json:"matches"`
	Alerts  []RuleTestHit `json:"alerts"`
}

// TestRule runs one rule over the posts stored since a time, through the same match and
// evaluate code as the pipeline, on a simulated clock (each post's first sight) and
// in-memory state, so nothing is written and nothing is sent. silences may be nil.
func TestRule(ctx context.Context, rule config.Rule, q *queries.Queries, silences handlers.Silences, since time.Time) (RuleTestReport, error) {
	rep := RuleTestReport{Rule: rule.Name, Since: since.UTC(), Alerts: []RuleTestHit{}}
	expr, err := query.Parse(rule.Query)
	if err != nil {
		return rep, fmt.Errorf("rule %s: %w", rule.Name, err)
	}
	matcher, err := query.Compile([]query.Rule{{Name: rule.Name, Expr: expr, Exact: rule.ExactVariants()}})
	if err != nil {
		return rep, err
	}
	var clock time.Time
	mem := &memoryState{}
	eval := handlers.Evaluate{
		Rules: map[string]handlers.RuleInfo{rule.Name: ruleInfo(rule, 1)},
		Store: mem, Thresholds: mem, Silences: silences,
		Now: func() time.Time { return clock },
	}
	var after int64
	for {
		page, err := q.PostsSince(ctx, queries.PostsSinceParams{FirstSeenAt: since.UTC(), ID: after, Limit: 1000})
		if err != nil {
			return rep, fmt.Errorf("cannot read posts: %w", err)
		}
		for _, p := range page {
			after = p.ID
			rep.Posts++
			normalized := textnorm.Normalize(p.Text)
			results := matcher.Match(normalized)
			if len(results) == 0 {
				continue
			}
			rep.Matches++
			// Posts come in id order; batches can commit their first-sight times slightly out
			// of it. The clock never goes back, so windows count what came before.
			if p.FirstSeenAt.After(clock) {
				clock = p.FirstSeenAt
			}
			in := handlers.MatchedPost{V: handlers.Version, PostID: p.ID, Source: p.Source, ExternalID: p.ExternalID,
				Author: p.Author, URL: p.Url, Text: p.Text, Matches: []handlers.RuleMatch{{Rule: rule.Name, Terms: results[0].Terms}}}
			before := len(mem.alerts)
			alerts, err := eval.Handle(ctx, in)
			if err != nil {
				return rep, err
			}
			for _, a := range alerts {
				rep.Alerts = append(rep.Alerts, RuleTestHit{At: clock.UTC(), Source: a.Source, ExternalID: a.ExternalID, Terms: a.Terms,
					Variants: foldedOnly(normalized, a.Terms, rule.ExactVariants()), Summary: a.Summary, Text: a.Text})
			}
			// Suppressed alerts are stored but not returned: report them with their reason.
			for _, rec := range mem.alerts[before:] {
				if rec.Suppressed != "" {
					rep.Alerts = append(rep.Alerts, RuleTestHit{At: clock.UTC(), Source: p.Source, ExternalID: p.ExternalID, Terms: rec.Terms,
						Variants: foldedOnly(normalized, rec.Terms, rule.ExactVariants()), Suppressed: rec.Suppressed, Text: p.Text})
				}
			}
		}
		if len(page) < 1000 {
			return rep, nil
		}
	}
}

// memoryState is an in-memory AlertStore and ThresholdStore for simulations.
type memoryState struct {
	alerts []handlers.AlertRecord
	byKey  map[string]int
	events map[string][]time.Time
	seen   map[string]bool
	state  map[string]handlers.FireState
}

func (m *memoryState) CreateAlert(_ context.Context, a handlers.AlertRecord) (handlers.StoredAlert, error) {
	if m.byKey == nil {
		m.byKey = map[string]int{}
	}
	if i, ok := m.byKey[a.DedupKey]; ok {
		return handlers.StoredAlert{ID: int64(i + 1), Suppressed: m.alerts[i].Suppressed}, nil
	}
	m.alerts = append(m.alerts, a)
	m.byKey[a.DedupKey] = len(m.alerts) - 1
	return handlers.StoredAlert{ID: int64(len(m.alerts)), Suppressed: a.Suppressed}, nil
}

func (m *memoryState) RecordMatch(_ context.Context, _ int64, key string, postID int64, at, since time.Time) ([]time.Time, error) {
	if m.events == nil {
		m.events, m.seen, m.state = map[string][]time.Time{}, map[string]bool{}, map[string]handlers.FireState{}
	}
	if id := fmt.Sprint(key, "/", postID); !m.seen[id] {
		m.seen[id] = true
		m.events[key] = append(m.events[key], at)
	}
	var out []time.Time
	for _, t := range m.events[key] {
		if t.After(since) && !t.After(at) {
			out = append(out, t)
		}
	}
	return out, nil
}

// DailyCounts has no history in a simulation: a baseline falls back to its fixed count.
func (m *memoryState) DailyCounts(context.Context, int64, string, string, time.Time, time.Time) ([]int, error) {
	return nil, nil
}

func (m *memoryState) FireState(_ context.Context, _ int64, key string) (handlers.FireState, error) {
	return m.state[key], nil
}

func (m *memoryState) TryFire(_ context.Context, _ int64, key string, prev handlers.FireState, now time.Time, realert time.Duration, dedup string) (bool, error) {
	if m.state[key] != prev {
		return false, nil
	}
	m.state[key] = handlers.FireState{NextAllowed: now.Add(realert), Realert: realert, LastFired: now, LastDedupKey: dedup}
	return true, nil
}
