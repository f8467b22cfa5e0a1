package simulate

import (
	"context"
	"fmt"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/query"
	"groupwatch/textnorm"
)

// Post is a stored post as the simulation reads it.
type Post struct {
	ID          int64
	Source      string
	ExternalID  string
	Author      string
	URL         string
	Text        string
	PostedAt    *time.Time
	FirstSeenAt time.Time
}

// Posts reads stored posts; the simulation reads nothing else of the live store.
type Posts interface {
	// PostsSince returns up to limit posts first seen at or after since with ids above
	// after, in id order.
	PostsSince(ctx context.Context, since time.Time, after int64, limit int) ([]Post, error)
	// CountPostsSince counts the posts first seen at or after since.
	CountPostsSince(ctx context.Context, since time.Time) (int, error)
}

// Step is what the simulation decided on one post the rule matched.
type Step struct {
	Post Post
	// Normalized is the post's text as the matcher read it (textnorm.Normalize).
	Normalized string
	At         time.Time // the simulated now: the latest first sight so far
	Terms      []string
	// Alerts are the alerts evaluate would publish for the post.
	Alerts []handlers.Alert
	// Records are the alert rows evaluate stored for the post, in order, suppressed ones
	// (which it does not publish) included.
	Records []handlers.AlertRecord
}

// Options tune a simulation.
type Options struct {
	// Silences are read at the simulated now; nil: nothing is silenced.
	Silences handlers.Silences
	// Backfill marks the alert records as a backfill's.
	Backfill bool
	// History, when set, gives threshold baselines the daily ETL's counts; nil: a baseline
	// falls back to its fixed count.
	History History
	// Progress, when set, is told the posts read and the total after each page.
	Progress func(done, total int)
}

// Result counts what a simulation read.
type Result struct {
	Posts   int
	Matches int
}

const pageSize = 1000

// Run runs rule (info is what evaluate knows of it) over the posts first seen since a time,
// in id order, on a fresh Memory, and hands each matched post's decisions to each in order.
// An error from each stops the run.
func Run(ctx context.Context, rule config.Rule, info handlers.RuleInfo, posts Posts, since time.Time, opts Options, each func(Step) error) (Result, error) {
	var res Result
	expr, err := query.Parse(rule.Query)
	if err != nil {
		return res, fmt.Errorf("rule %s: %w", rule.Name, err)
	}
	matcher, err := query.Compile([]query.Rule{{Name: rule.Name, Expr: expr, Exact: rule.ExactVariants()}})
	if err != nil {
		return res, fmt.Errorf("rule %s: %w", rule.Name, err)
	}
	total := 0
	if opts.Progress != nil {
		if total, err = posts.CountPostsSince(ctx, since.UTC()); err != nil {
			return res, fmt.Errorf("cannot count posts: %w", err)
		}
	}
	var clock time.Time
	mem := NewMemory(opts.History)
	eval := handlers.Evaluate{
		Rules: map[string]handlers.RuleInfo{rule.Name: info},
		Store: mem, Thresholds: mem, Silences: opts.Silences, Backfill: opts.Backfill,
		Now: func() time.Time { return clock },
	}
	var after int64
	for {
		page, err := posts.PostsSince(ctx, since.UTC(), after, pageSize)
		if err != nil {
			return res, fmt.Errorf("cannot read posts: %w", err)
		}
		for _, p := range page {
			after = p.ID
			res.Posts++
			normalized := textnorm.Normalize(p.Text)
			results := matcher.Match(normalized)
			if len(results) == 0 {
				continue
			}
			res.Matches++
			// Posts come in id order; batches can commit their first-sight times slightly out
			// of it. The clock never goes back, so windows count what came before.
			if p.FirstSeenAt.After(clock) {
				clock = p.FirstSeenAt
			}
			before := len(mem.Records())
			alerts, err := eval.Handle(ctx, handlers.MatchedPost{V: handlers.Version, PostID: p.ID, Source: p.Source, ExternalID: p.ExternalID,
				Author: p.Author, URL: p.URL, Text: p.Text, PostedAt: p.PostedAt, Matches: []handlers.RuleMatch{{Rule: rule.Name, Terms: results[0].Terms}}})
			if err != nil {
				return res, err
			}
			step := Step{Post: p, Normalized: normalized, At: clock.UTC(), Terms: results[0].Terms, Alerts: alerts, Records: mem.Records()[before:]}
			if err := each(step); err != nil {
				return res, err
			}
		}
		if opts.Progress != nil {
			opts.Progress(res.Posts, total)
		}
		if len(page) < pageSize {
			return res, nil
		}
	}
}
