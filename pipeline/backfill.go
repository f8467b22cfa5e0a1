package pipeline

import (
	"context"
	"fmt"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/queries"
	"groupwatch/query"
	"groupwatch/store"
	"groupwatch/textnorm"
)

// BackfillReport is what `pipeline backfill` did.
type BackfillReport struct {
	Rule    string
	Posts   int
	Matches int
	// Alerts are the alerts the backfill stored (alerts already there are not repeated).
	Alerts []handlers.Alert
}

// Backfill runs match and evaluate for one rule over the posts stored since a time (older
// than the streams keep), with the real stores: matches and alerts are written as the
// pipeline would (dedup keys hold: an alert that exists is not made again), each alert marked
// as a backfill and as published, so that nothing, not even a later replay, sends old posts
// one message each. Evaluate's clock is each post's first sight, so thresholds count the
// posts' own times. progress is told the posts done and the total.
func Backfill(ctx context.Context, rule config.Rule, ruleID int64, s *store.Store, since time.Time, progress func(done, total int)) (BackfillReport, error) {
	rep := BackfillReport{Rule: rule.Name}
	expr, err := query.Parse(rule.Query)
	if err != nil {
		return rep, fmt.Errorf("rule %s: %w", rule.Name, err)
	}
	matcher, err := query.Compile([]query.Rule{{Name: rule.Name, Expr: expr, Exact: rule.ExactVariants()}})
	if err != nil {
		return rep, err
	}
	q := s.Queries()
	total, err := q.CountPostsSince(ctx, since.UTC())
	if err != nil {
		return rep, fmt.Errorf("cannot count posts: %w", err)
	}
	var clock time.Time
	eval := handlers.Evaluate{
		Rules: map[string]handlers.RuleInfo{rule.Name: ruleInfo(rule, ruleID)},
		Store: s, Thresholds: s, Silences: s, Backfill: true,
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
			results := matcher.Match(textnorm.Normalize(p.Text))
			if len(results) == 0 {
				continue
			}
			rep.Matches++
			if err := s.SaveMatch(ctx, ruleID, p.ID, results[0].Terms); err != nil {
				return rep, err
			}
			// Posts come in id order; batches can commit their first-sight times slightly out
			// of it. The clock never goes back, so windows count what came before.
			if p.FirstSeenAt.After(clock) {
				clock = p.FirstSeenAt
			}
			var posted *time.Time
			if p.PostedAt.Valid {
				posted = &p.PostedAt.Time
			}
			alerts, err := eval.Handle(ctx, handlers.MatchedPost{V: handlers.Version, PostID: p.ID, Source: p.Source, ExternalID: p.ExternalID,
				Author: p.Author, URL: p.Url, Text: p.Text, PostedAt: posted, Matches: []handlers.RuleMatch{{Rule: rule.Name, Terms: results[0].Terms}}})
			if err != nil {
				return rep, err
			}
			for _, a := range alerts {
				if err := s.MarkAlertPublished(ctx, a.AlertID); err != nil {
					return rep, err
				}
				rep.Alerts = append(rep.Alerts, a)
			}
		}
		progress(rep.Posts, int(total))
		if len(page) < 1000 {
			return rep, nil
		}
	}
}

// BackfillDigest is the one message --notify sends for a backfill: its alerts as a digest.
func BackfillDigest(rule config.Rule, rep BackfillReport, since, now time.Time) handlers.Alert {
	matches := make([]handlers.DigestMatch, len(rep.Alerts))
	for i, a := range rep.Alerts {
		at := a.CreatedAt
		if a.PostedAt != nil {
			at = *a.PostedAt
		}
		matches[i] = handlers.DigestMatch{At: at, PostID: a.PostID, Source: a.Source, ExternalID: a.ExternalID,
			Author: a.Author, URL: a.URL, Text: a.Text, Terms: a.Terms}
	}
	d := handlers.BuildDigest(rule.Name, rule.Sinks, since, now, time.UTC, matches, 10)
	d.Variants = ruleVariants(rule)
	d.Summary = "backfill: " + d.Summary
	d.DedupKey = handlers.DedupKey("backfill", rule.Name, "", now.UTC().Format(time.RFC3339Nano))
	return d
}
