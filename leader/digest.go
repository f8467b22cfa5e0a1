package leader

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/queries"
	"groupwatch/store"
)

// digestKey is the rule_state key of a digest rule: its next tick and the start of the
// period being collected.
const digestKey = "digest"

// Digests sends digest rules' messages on their schedules. It runs on the
// leader, so one process sends each digest; a digest's dedup key is its rule and tick, so a
// hand-over in the middle sends it at most twice to the notify stage, which sends it once.
type Digests struct {
	cfg     *config.Config
	store   *store.Store
	publish Publish
	topic   string
	ruleIDs map[string]int64
	logger  *slog.Logger
	now     func() time.Time

	lastLook time.Time
}

// NewDigests publishes the digests to topic (alerts); ruleIDs are the rules' ids in MySQL.
func NewDigests(cfg *config.Config, s *store.Store, publish Publish, topic string, ruleIDs map[string]int64, logger *slog.Logger) *Digests {
	return &Digests{cfg: cfg, store: s, publish: publish, topic: topic, ruleIDs: ruleIDs,
		logger: logger.With("component", "digest"), now: time.Now}
}

// Step sends the digests due if ten seconds have passed since its last look.
func (w *Digests) Step(ctx context.Context) {
	now := w.now()
	if now.Sub(w.lastLook) < 10*time.Second {
		return
	}
	w.lastLook = now
	for _, r := range w.cfg.Rules {
		if r.Type != config.RuleDigest {
			continue
		}
		if err := w.send(ctx, r, now); err != nil {
			w.logger.Warn("digest not sent yet", "rule", r.Name, "error", err.Error())
		}
	}
}

// send sends every period of the rule that has ended by now, oldest first: a week the
// pipeline was down is caught up period by period.
func (w *Digests) send(ctx context.Context, r config.Rule, now time.Time) error {
	sched, err := r.Digest.Schedule()
	if err != nil {
		return err
	}
	loc, _ := time.LoadLocation(r.Digest.Timezone)
	id := w.ruleIDs[r.Name]
	for {
		st, err := w.store.FireState(ctx, id, digestKey)
		if err != nil {
			return err
		}
		if st.LastFired.IsZero() {
			// First sight of the rule: its first period starts now.
			next := sched.Next(now)
			_, err := w.store.TryFire(ctx, id, digestKey, st, now, next.Sub(now), "")
			return err
		}
		if now.Before(st.NextAllowed) {
			return nil
		}
		from, to := st.LastFired, st.NextAllowed
		rows, err := w.store.Queries().MatchesOfRuleBetween(ctx, queries.MatchesOfRuleBetweenParams{RuleID: id, CreatedAt: from, CreatedAt_2: to})
		if err != nil {
			return err
		}
		matches := make([]handlers.DigestMatch, 0, len(rows))
		for _, m := range rows {
			var terms []string
			if err := json.Unmarshal([]byte(m.Terms), &terms); err != nil {
				// The match still counts in the digest; only its terms are unreadable.
				w.logger.Warn("cannot read a match's terms", "rule", r.Name, "post_id", m.PostID, "error", err.Error())
			}
			matches = append(matches, handlers.DigestMatch{At: m.CreatedAt, PostID: m.PostID, Source: m.Source,
				ExternalID: m.ExternalID, Author: m.Author, URL: m.Url, Text: m.Text, Terms: terms})
		}
		a := handlers.BuildDigest(r.Name, r.Sinks, from, to, loc, matches, r.Digest.Top)
		if r.ExactVariants() {
			a.Variants = handlers.VariantsExact
		}
		a.DedupKey = handlers.DedupKey("digest", r.Name, "", to.UTC().Format(time.RFC3339))
		suppressed, err := w.store.Silence(ctx, r.Name, "", to)
		if err != nil {
			return err
		}
		stored, err := w.store.CreateAlert(ctx, handlers.AlertRecord{DedupKey: a.DedupKey, RuleID: id, PostID: a.PostID,
			Kind: "digest", Terms: a.Terms, Suppressed: suppressed, Summary: a.Summary})
		if err != nil {
			return err
		}
		if !stored.Published && stored.Suppressed == "" && len(matches) > 0 {
			a.AlertID, a.CreatedAt = stored.ID, stored.CreatedAt
			if err := w.publish(w.topic, a, "digest/"+r.Name, to); err != nil {
				return err
			}
			w.logger.Info("digest sent", "rule", r.Name, "matches", len(matches), "from", from, "to", to)
		}
		// The next period starts at this tick.
		if _, err := w.store.TryFire(ctx, id, digestKey, st, to, sched.Next(to).Sub(to), a.DedupKey); err != nil {
			return err
		}
	}
}
