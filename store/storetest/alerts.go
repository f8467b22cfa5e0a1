package storetest

import (
	"context"
	"fmt"
	"testing"

	"groupwatch/config"
	"groupwatch/handlers"
)

// AlertStore holds an implementation of handlers.AlertStore to its contract: an alert is
// stored once per dedup key, a repeat returns the row the first write made (its id and
// suppression), and another key is another row.
func AlertStore(t *testing.T, newStore func(t *testing.T) handlers.AlertStore) {
	ctx := context.Background()
	rec := func(key, suppressed string) handlers.AlertRecord {
		return handlers.AlertRecord{DedupKey: handlers.DedupKey(string(config.RuleInstant), "r", "", key), RuleID: 1, PostID: 1,
			Kind: config.RuleInstant, Terms: []string{"acme"}, Suppressed: suppressed, Summary: "s " + key}
	}
	t.Run("dedup key", func(t *testing.T) {
		s := newStore(t)
		first, err := s.CreateAlert(ctx, rec("a", ""))
		check(t, err)
		if first.ID == 0 || first.Published || first.Suppressed != "" {
			t.Fatalf("new alert: %+v", first)
		}
		again, err := s.CreateAlert(ctx, rec("a", "silenced now"))
		check(t, err)
		if again.ID != first.ID || again.Suppressed != "" {
			t.Fatalf("repeat of key a: %+v, want the first row %+v", again, first)
		}
		other, err := s.CreateAlert(ctx, rec("b", "silenced"))
		check(t, err)
		if other.ID == first.ID || other.Suppressed != "silenced" {
			t.Fatalf("key b: %+v, want a row of its own, suppressed", other)
		}
	})
	t.Run("idempotent writes", func(t *testing.T) {
		s := newStore(t)
		ids := map[int64]bool{}
		for i := 0; i < 3; i++ {
			for k := 0; k < 4; k++ {
				got, err := s.CreateAlert(ctx, rec(fmt.Sprint("k", k), ""))
				check(t, err)
				ids[got.ID] = true
			}
		}
		if len(ids) != 4 {
			t.Fatalf("4 keys written 3 times made %d rows", len(ids))
		}
	})
}
