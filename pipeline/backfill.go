package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/simulate"
)

// BackfillReport is what `pipeline backfill` did.
type BackfillReport struct {
	Rule    string
	Posts   int
	Matches int
	// Alerts are the alerts the backfill stored (alerts already there are not repeated).
	Alerts []handlers.Alert
}

// BackfillStore is what a backfill reads (the posts, the silences) and writes (what the
// simulation decided) in the live store.
type BackfillStore interface {
	simulate.Posts
	handlers.MatchStore
	handlers.AlertStore
	handlers.Silences
	simulate.History
	MarkAlertPublished(ctx context.Context, alertID int64) error
}

// Backfill runs one rule over the posts stored since a time (older than the streams keep)
// through the simulation (package simulate), which counts thresholds on the posts' own
// times in a state of its own: live rule events, states and alerts neither count in it nor
// change (baselines read the daily ETL's counts, history before the simulated now). It then writes what the simulation decided through the real store, as the
// pipeline would (dedup keys hold: an alert that exists is not made again): each match, and
// each alert marked as a backfill and as published, so that nothing, not even a later
// replay, sends old posts one message each. progress is told the posts done and the total.
func Backfill(ctx context.Context, rule config.Rule, ruleID int64, s BackfillStore, since time.Time, progress func(done, total int)) (BackfillReport, error) {
	rep := BackfillReport{Rule: rule.Name}
	opts := simulate.Options{Silences: s, History: s, Backfill: true, Progress: progress}
	res, err := simulate.Run(ctx, rule, ruleInfo(rule, ruleID), s, since, opts, func(st simulate.Step) error {
		if err := s.SaveMatch(ctx, ruleID, st.Post.ID, st.Terms); err != nil {
			return fmt.Errorf("cannot store the match of rule %q on post %d: %w", rule.Name, st.Post.ID, err)
		}
		published := map[string]handlers.Alert{}
		for _, a := range st.Alerts {
			published[a.DedupKey] = a
		}
		for _, rec := range st.Records {
			stored, err := s.CreateAlert(ctx, rec)
			if err != nil {
				return fmt.Errorf("cannot store the alert of rule %q on post %d: %w", rule.Name, st.Post.ID, err)
			}
			a, ok := published[rec.DedupKey]
			if !ok || stored.Published || stored.Suppressed != "" {
				continue // suppressed, or the live pipeline (or an earlier backfill) made it
			}
			if err := s.MarkAlertPublished(ctx, stored.ID); err != nil {
				return fmt.Errorf("cannot mark alert %d published: %w", stored.ID, err)
			}
			a.AlertID, a.CreatedAt = stored.ID, stored.CreatedAt
			rep.Alerts = append(rep.Alerts, a)
		}
		return nil
	})
	rep.Posts, rep.Matches = res.Posts, res.Matches
	return rep, err
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
	d.Summary = "backfill: " + d.Summary
	d.DedupKey = handlers.DedupKey("backfill", rule.Name, "", now.UTC().Format(time.RFC3339Nano))
	return d
}

// PublishBackfillDigest stores the backfill's digest (BackfillDigest) as an alert and
// publishes it to the alerts topic through the pipeline's own publisher, as the digest job
// publishes a digest; the notify stage delivers it and marks it published. It returns the
// alert's id.
func PublishBackfillDigest(ctx context.Context, cfg *config.Config, s handlers.AlertStore, rule config.Rule, ruleID int64, rep BackfillReport, since, now time.Time, logger *slog.Logger) (int64, error) {
	d := BackfillDigest(rule, rep, since, now)
	stored, err := s.CreateAlert(ctx, handlers.AlertRecord{DedupKey: d.DedupKey, RuleID: ruleID, PostID: d.PostID,
		Kind: config.RuleDigest, Terms: d.Terms, Summary: d.Summary, Backfill: true})
	if err != nil {
		return 0, fmt.Errorf("cannot store the backfill's digest: %w", err)
	}
	d.AlertID, d.CreatedAt = stored.ID, stored.CreatedAt
	rdb, err := OpenRedis(ctx, cfg.Redis.URL, 2)
	if err != nil {
		return 0, err
	}
	defer rdb.Close()
	pub, err := newPublisher(cfg, rdb, logger)
	if err != nil {
		return 0, err
	}
	defer pub.Close()
	msg, err := NewAlertMessage(d)
	if err != nil {
		return 0, err
	}
	topic := TopicsOf(cfg).Alerts()
	if err := pub.Publish(topic, msg); err != nil {
		return 0, fmt.Errorf("cannot publish the backfill's digest to %s: %w", topic, err)
	}
	return d.AlertID, nil
}
