package pipeline

import (
	"context"
	"time"

	"groupwatch/queries"
)

// Silence is a silence in force, as `pipeline silence --list` shows it.
type Silence struct {
	Rule   string
	Key    string
	Until  time.Time
	Reason string
}

// ActiveSilences returns the silences in force at now.
func (a *Admin) ActiveSilences(ctx context.Context, now time.Time) ([]Silence, error) {
	rows, err := a.q.ListActiveSilences(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]Silence, 0, len(rows))
	for _, r := range rows {
		out = append(out, Silence{Rule: r.Rule, Key: r.GroupKey, Until: r.EndsAt, Reason: r.Reason})
	}
	return out, nil
}

// EndSilences ends now the silences of a rule (of one key of it, when key is not empty) and
// returns how many.
func (a *Admin) EndSilences(ctx context.Context, rule, key string, now time.Time) (int64, error) {
	return a.q.EndSilences(ctx, queries.EndSilencesParams{EndsAt: now, Rule: rule, GroupKey: key, EndsAt_2: now})
}

// AddSilence silences a rule (one key of it, when key is not empty) from now until until.
func (a *Admin) AddSilence(ctx context.Context, rule, key, reason string, until, now time.Time) error {
	return a.q.InsertSilence(ctx, queries.InsertSilenceParams{Rule: rule, GroupKey: key, EndsAt: until, Reason: reason, CreatedAt: now})
}
