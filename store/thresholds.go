package store

import (
	"context"
	"time"

	"groupwatch/handlers"
	"groupwatch/queries"
)

// RecordMatch counts a post under a threshold rule's key once and returns the key's match
// times in (since, at]: nothing after at, so a clock in the past does not count events
// recorded after it.
func (s *Store) RecordMatch(ctx context.Context, ruleID int64, key string, postID int64, at, since time.Time) ([]time.Time, error) {
	if err := s.q.InsertRuleEvent(ctx, queries.InsertRuleEventParams{RuleID: ruleID, GroupKey: key, PostID: postID, At: at.UTC()}); err != nil {
		return nil, classify(err)
	}
	times, err := s.q.RuleEventTimes(ctx, queries.RuleEventTimesParams{RuleID: ruleID, GroupKey: key, At: since.UTC(), At_2: at.UTC()})
	return times, classify(err)
}

// FireState returns a threshold rule key's state, creating it (free to fire) if need be.
func (s *Store) FireState(ctx context.Context, ruleID int64, key string) (handlers.FireState, error) {
	if err := s.q.EnsureRuleState(ctx, queries.EnsureRuleStateParams{RuleID: ruleID, GroupKey: key, UpdatedAt: s.now().UTC()}); err != nil {
		return handlers.FireState{}, classify(err)
	}
	row, err := s.q.GetRuleState(ctx, queries.GetRuleStateParams{RuleID: ruleID, GroupKey: key})
	if err != nil {
		return handlers.FireState{}, classify(err)
	}
	return handlers.FireState{
		NextAllowed: row.NextAllowedAt, Realert: time.Duration(row.RealertMs) * time.Millisecond,
		LastFired: row.LastFiredAt.Time, LastDedupKey: row.LastDedupKey,
	}, nil
}

// TryFire moves the key from prev to fired at now, if no one else did first.
func (s *Store) TryFire(ctx context.Context, ruleID int64, key string, prev handlers.FireState, now time.Time, realert time.Duration, dedupKey string) (bool, error) {
	now = now.UTC()
	n, err := s.q.FireRuleState(ctx, queries.FireRuleStateParams{
		NextAllowedAt: now.Add(realert), RealertMs: realert.Milliseconds(), LastFiredAt: nullTime(now),
		LastDedupKey: dedupKey, UpdatedAt: now, RuleID: ruleID, GroupKey: key, NextAllowedAt_2: prev.NextAllowed,
	})
	return n == 1, classify(err)
}
