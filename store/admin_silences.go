package store

import (
	"context"
	"time"

	"groupwatch/queries"
)

// SilenceRecord is a silence in force, as `pipeline silence --list` shows it.
type SilenceRecord struct {
	Rule   string
	Key    string
	Until  time.Time
	Reason string
}

// ActiveSilences returns the silences in force at now.
func (a *Admin) ActiveSilences(ctx context.Context, now time.Time) ([]SilenceRecord, error) {
	rows, err := a.q.ListActiveSilences(ctx, now.UTC())
	if err != nil {
		return nil, classify(err)
	}
	out := make([]SilenceRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, SilenceRecord{Rule: r.Rule, Key: r.GroupKey, Until: r.EndsAt, Reason: r.Reason})
	}
	return out, nil
}

// EndSilences ends now the silences of a rule (of one key of it, when key is not empty) and
// returns how many.
func (a *Admin) EndSilences(ctx context.Context, rule, key string, now time.Time) (int64, error) {
	n, err := a.q.EndSilences(ctx, queries.EndSilencesParams{EndsAt: now.UTC(), Rule: rule, GroupKey: key, EndsAt_2: now.UTC()})
	return n, classify(err)
}

// AddSilence silences a rule (one key of it, when key is not empty) from now until until.
func (a *Admin) AddSilence(ctx context.Context, rule, key, reason string, until, now time.Time) error {
	return classify(a.q.InsertSilence(ctx, queries.InsertSilenceParams{Rule: rule, GroupKey: key, EndsAt: until.UTC(), Reason: reason, CreatedAt: now.UTC()}))
}
