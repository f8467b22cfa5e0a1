package handlers

import (
	"context"
	"fmt"

	"groupwatch/query"
)

// MatchStore stores one row per (rule, post).
type MatchStore interface {
	SaveMatch(ctx context.Context, ruleID, postID int64, terms []string) error
}

// Match runs every rule over a normalized post in one pass of the compiled matcher, stores
// each match and passes on only posts that matched.
type Match struct {
	Matcher *query.Matcher
	// RuleIDs maps a rule's name to its id in MySQL.
	RuleIDs map[string]int64
	Store   MatchStore
}

// Handle returns nil, nil for a post no rule matched.
func (m Match) Handle(ctx context.Context, in NormalizedPost) (*MatchedPost, error) {
	if in.V != Version {
		return nil, Permanent(fmt.Errorf("unknown payload version %d (want %d)", in.V, Version))
	}
	if in.PostID == 0 {
		return nil, Permanent(fmt.Errorf("invalid post: post_id: missing"))
	}
	results := m.Matcher.Match(in.Normalized)
	if len(results) == 0 {
		return nil, nil
	}
	out := &MatchedPost{
		V:          Version,
		PostID:     in.PostID,
		Source:     in.Source,
		ExternalID: in.ExternalID,
		Author:     in.Author,
		URL:        in.URL,
		Text:       in.Text,
		PostedAt:   in.PostedAt,
		ReceivedAt: in.ReceivedAt,
	}
	for _, r := range results {
		id, ok := m.RuleIDs[r.Rule]
		if !ok {
			// The matcher and RuleIDs are built from the same rules at start-up.
			return nil, fmt.Errorf("rule %q matched but has no id", r.Rule)
		}
		if err := m.Store.SaveMatch(ctx, id, in.PostID, r.Terms); err != nil {
			return nil, fmt.Errorf("cannot save match of rule %q on post %d: %w", r.Rule, in.PostID, err)
		}
		out.Matches = append(out.Matches, RuleMatch{Rule: r.Rule, Terms: r.Terms})
	}
	return out, nil
}
