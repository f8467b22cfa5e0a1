package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"groupwatch/handlers"
	"groupwatch/queries"
)

// MatchesBetween returns the rule's matches stored in [from, to), oldest first, with their
// posts (handlers.DigestMatches). A match whose terms cannot be read is returned without
// them, and the error then wraps handlers.ErrUnreadableTerms: it still counts in a digest.
func (s *Store) MatchesBetween(ctx context.Context, ruleID int64, from, to time.Time) ([]handlers.DigestMatch, error) {
	rows, err := s.q.MatchesOfRuleBetween(ctx, queries.MatchesOfRuleBetweenParams{RuleID: ruleID, CreatedAt: from.UTC(), CreatedAt_2: to.UTC()})
	if err != nil {
		return nil, classify(err)
	}
	out := make([]handlers.DigestMatch, 0, len(rows))
	var unreadable []int64
	for _, m := range rows {
		var terms []string
		if err := json.Unmarshal([]byte(m.Terms), &terms); err != nil {
			unreadable = append(unreadable, m.PostID)
			terms = nil
		}
		out = append(out, handlers.DigestMatch{At: m.CreatedAt, PostID: m.PostID, Source: m.Source,
			ExternalID: m.ExternalID, Author: m.Author, URL: m.Url, Text: m.Text, Terms: terms})
	}
	if len(unreadable) > 0 {
		return out, fmt.Errorf("matches of rule %d on posts %v: %w", ruleID, unreadable, handlers.ErrUnreadableTerms)
	}
	return out, nil
}
