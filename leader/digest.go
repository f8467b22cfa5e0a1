package leader

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
)

// digestKey is the rule_state key of a digest rule: its next tick and the start of the
// period being collected.
const digestKey = "digest"

// DigestStore is what the digests read and write: a period's matches, the rule's state
// (the period's bounds, compare-and-set), silences and the alert.
type DigestStore interface {
	handlers.DigestMatches
	handlers.Silences
	handlers.AlertStore
	FireState(ctx context.Context, ruleID int64, key string) (handlers.FireState, error)
	TryFire(ctx context.Context, ruleID int64, key string, prev handlers.FireState, now time.Time, realert time.Duration, dedupKey string) (bool, error)
}

// Digests sends digest rules' messages on their schedules. It runs on the
// leader, so one process sends each digest; a digest's dedup key is its rule and tick, so a
// hand-over in the middle sends it at most twice to the notify stage, which sends it once.
type Digests struct {
	cfg     *config.Config
	store   DigestStore
	publish Publish
	topic   string
	ruleIDs map[string]int64
	logger  *slog.Logger
	now     func() time.Time

	lastLook time.Time
}

// NewDigests publishes the digests to topic (alerts); ruleIDs are the rules' ids in MySQL.
func NewDigests(cfg *config.Config, s DigestStore, publish Publish, topic string, ruleIDs map[string]int64, logger *slog.Logger) *Digests {
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
		matches, err := w.store.MatchesBetween(ctx, id, from, to)
		if errors.Is(err, handlers.ErrUnreadableTerms) {
			// The matches still count in the digest; only their terms are missing.
			w.logger.Warn("cannot read some matches' terms", "rule", r.Name, "error", err.Error())
		} else if err != nil {
			return err
		}
		a := handlers.BuildDigest(r.Name, r.Sinks, from, to, loc, matches, r.Digest.Top)
		if r.ExactVariants() {
			a.Variants = handlers.VariantsExact
		}
		a.DedupKey = handlers.DedupKey(string(config.RuleDigest), r.Name, "", to.UTC().Format(time.RFC3339))
		suppressed, err := w.store.Silence(ctx, r.Name, "", to)
		if err != nil {
			return err
		}
		stored, err := w.store.CreateAlert(ctx, handlers.AlertRecord{DedupKey: a.DedupKey, RuleID: id, PostID: a.PostID,
			Kind: config.RuleDigest, Terms: a.Terms, Suppressed: suppressed, Summary: a.Summary})
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
