package store

import (
	"context"
	"fmt"

	"groupwatch/config"
	"groupwatch/queries"
)

// SyncRules makes the rules table agree with the configuration, by name: each configured rule
// is inserted or updated and enabled, any other is disabled (kept, since matches and alerts
// refer to it). It returns each configured rule's id. The sync is one transaction, so a
// failure midway leaves the table as the last configuration left it, not half of each.
func (s *Store) SyncRules(ctx context.Context, rules []config.Rule) (map[string]int64, error) {
	now := s.now().UTC()
	ids := map[string]int64{}
	err := s.inTx(ctx, "sync rules", func(q *queries.Queries) error {
		configured := map[string]bool{}
		for _, r := range rules {
			configured[r.Name] = true
			if err := q.UpsertRule(ctx, queries.UpsertRuleParams{Name: r.Name, Query: r.Query, Kind: string(r.Type), UpdatedAt: now}); err != nil {
				return fmt.Errorf("cannot sync rule %q: %w", r.Name, err)
			}
		}
		stored, err := q.ListRules(ctx)
		if err != nil {
			return fmt.Errorf("cannot list rules: %w", err)
		}
		for _, r := range stored {
			if configured[r.Name] {
				ids[r.Name] = r.ID
				continue
			}
			if r.Enabled != 0 {
				if err := q.DisableRule(ctx, queries.DisableRuleParams{UpdatedAt: now, ID: r.ID}); err != nil {
					return fmt.Errorf("cannot disable rule %q: %w", r.Name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// EnsureRule inserts or updates one rule (leaving the others as they are) and returns its id.
func (s *Store) EnsureRule(ctx context.Context, r config.Rule) (int64, error) {
	if err := s.q.UpsertRule(ctx, queries.UpsertRuleParams{Name: r.Name, Query: r.Query, Kind: string(r.Type), UpdatedAt: s.now().UTC()}); err != nil {
		return 0, fmt.Errorf("cannot sync rule %q: %w", r.Name, err)
	}
	rows, err := s.q.ListRules(ctx)
	if err != nil {
		return 0, fmt.Errorf("cannot list rules: %w", err)
	}
	for _, row := range rows {
		if row.Name == r.Name {
			return row.ID, nil
		}
	}
	return 0, fmt.Errorf("rule %q not found right after it was written", r.Name)
}
