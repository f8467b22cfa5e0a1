package storetest

import (
	"context"
	"testing"

	"groupwatch/handlers"
)

// MatchStore holds an implementation of handlers.MatchStore to its contract: a (rule, post)
// is one match however often it is saved (a redelivered or edited post), rules and posts
// apart. count returns how many matches the store holds.
func MatchStore(t *testing.T, newStore func(t *testing.T) (s handlers.MatchStore, count func(t *testing.T) int)) {
	ctx := context.Background()
	t.Run("one per rule and post", func(t *testing.T) {
		s, count := newStore(t)
		saves := []struct {
			rule, post int64
			terms      []string
		}{{1, 1, []string{"a"}}, {1, 1, []string{"a", "b"}}, {1, 2, []string{"a"}}, {2, 1, []string{"a"}}, {1, 2, []string{"a"}}}
		for _, m := range saves {
			check(t, s.SaveMatch(ctx, m.rule, m.post, m.terms))
		}
		if n := count(t); n != 3 {
			t.Fatalf("%d matches stored, want 3: (1,1), (1,2) and (2,1)", n)
		}
	})
}
