package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"groupwatch/config"
)

// RuleInfo is what evaluate needs to know of a rule.
type RuleInfo struct {
	ID    int64
	Kind  config.RuleKind
	Sinks []string
	// ExactVariants is set for a rule that matches Chinese characters only as written
	// (variants: exact); its alerts say so, so that sinks highlight only what matched.
	ExactVariants bool
	// Threshold is set for threshold rules.
	Threshold ThresholdSpec
}

// AlertRecord is an alert to store under its dedup key.
type AlertRecord struct {
	DedupKey string
	RuleID   int64
	PostID   int64
	Kind     config.RuleKind
	Terms    []string
	// Suppressed says why the alert is stored but not sent (a silence); empty to send.
	Suppressed string
	// Summary says why it fired, beyond the terms ("12 matches in 1h for source x").
	Summary string
	// Backfill marks an alert made over stored posts by `pipeline backfill`.
	Backfill bool
}

// StoredAlert is the row behind a dedup key.
type StoredAlert struct {
	ID        int64
	CreatedAt time.Time
	// Published says the alert already reached the alerts topic (notify saw it).
	Published bool
	// Suppressed is why the alert is not sent, as stored when it was made.
	Suppressed string
}

// Silences says whether a rule, or one key of it, is silenced.
type Silences interface {
	// Silence returns why alerts of rule for key are silenced at now, or "".
	Silence(ctx context.Context, rule, key string, now time.Time) (string, error)
}

// AlertStore stores alerts, once per dedup key.
type AlertStore interface {
	// CreateAlert stores the alert unless its dedup key is taken, and returns the row behind
	// the key either way.
	CreateAlert(ctx context.Context, a AlertRecord) (StoredAlert, error)
}

// Evaluate turns matches into alerts. Instant rules make one alert per (rule, post); the
// alert is published only while it has not been published yet, so a replayed or re-ingested
// post makes no second alert.
type Evaluate struct {
	Rules map[string]RuleInfo
	Store AlertStore
	// Thresholds counts for threshold rules.
	Thresholds ThresholdStore
	// Silences, if set, suppresses alerts of silenced rules and keys: they are stored with
	// the reason and not published.
	Silences Silences
	// Backfill marks every alert stored as made by a backfill.
	Backfill bool
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (e Evaluate) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Handle returns the alerts to publish, possibly none.
func (e Evaluate) Handle(ctx context.Context, in MatchedPost) ([]Alert, error) {
	if in.V != Version {
		return nil, Permanent(fmt.Errorf("unknown payload version %d (want %d)", in.V, Version))
	}
	var out []Alert
	for _, m := range in.Matches {
		rule, ok := e.Rules[m.Rule]
		if !ok {
			// A rule removed from the configuration since the post was matched: nothing
			// to alert for, and nothing a retry would change.
			continue
		}
		if rule.Kind == config.RuleDigest {
			continue // its matches are stored; the digest goes out on its schedule
		}
		if rule.Kind == config.RuleThreshold {
			alerts, err := e.evaluateThreshold(ctx, in, m, rule)
			if err != nil {
				return nil, err
			}
			out = append(out, alerts...)
			continue
		}
		key := DedupKey(string(rule.Kind), m.Rule, in.Source, in.ExternalID)
		suppressed, err := e.silence(ctx, m.Rule, in.Source)
		if err != nil {
			return nil, err
		}
		stored, err := e.Store.CreateAlert(ctx, AlertRecord{
			DedupKey: key, RuleID: rule.ID, PostID: in.PostID, Kind: rule.Kind, Terms: m.Terms, Suppressed: suppressed,
			Backfill: e.Backfill,
		})
		if err != nil {
			return nil, fmt.Errorf("cannot store alert of rule %q on post %d: %w", m.Rule, in.PostID, err)
		}
		if stored.Published || stored.Suppressed != "" {
			continue
		}
		out = append(out, alertFor(in, m, rule, key, stored))
	}
	return out, nil
}

// silence is why the rule (for key: an instant rule's source, a threshold rule's group key)
// is silenced now, or "".
func (e Evaluate) silence(ctx context.Context, rule, key string) (string, error) {
	if e.Silences == nil {
		return "", nil
	}
	reason, err := e.Silences.Silence(ctx, rule, key, e.now())
	if err != nil {
		return "", fmt.Errorf("cannot read silences of rule %q: %w", rule, err)
	}
	return reason, nil
}

// alertFor is the alert message of a stored alert about a post.
func alertFor(in MatchedPost, m RuleMatch, rule RuleInfo, dedupKey string, stored StoredAlert) Alert {
	return Alert{
		V:          Version,
		AlertID:    stored.ID,
		DedupKey:   dedupKey,
		Rule:       m.Rule,
		Kind:       rule.Kind,
		Sinks:      rule.Sinks,
		PostID:     in.PostID,
		Source:     in.Source,
		ExternalID: in.ExternalID,
		Author:     in.Author,
		URL:        in.URL,
		Text:       in.Text,
		Terms:      m.Terms,
		PostedAt:   in.PostedAt,
		ReceivedAt: in.ReceivedAt,
		CreatedAt:  stored.CreatedAt,
		Variants:   variantsOf(rule),
	}
}

// DedupKey is the hex SHA-256 of what makes an alert unique: for an instant rule, the rule
// and the post. Names, not database ids, so the key is stable across databases.
func DedupKey(kind, rule, source, externalID string) string {
	h := sha256.New()
	for _, part := range []string{kind, rule, source, externalID} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
