package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"groupwatch/handlers"
)

// AddSilence silences rule (key "": all its keys) from starts (when it was made) until ends,
// for the reason given.
type AddSilence func(t *testing.T, rule, key, reason string, starts, ends time.Time)

// Silences holds an implementation of handlers.Silences to its contract: a rule's silence
// holds for all its keys, a key's for that key only, neither for another rule; a silence
// holds from when it was made (a simulation of earlier days is not silenced by it) until it
// ends (not at its end); of several, the one that lasts longest gives the
// reason, which names the reason given.
func Silences(t *testing.T, newStore func(t *testing.T) (handlers.Silences, AddSilence)) {
	ctx := context.Background()
	expect := func(t *testing.T, s handlers.Silences, rule, key string, at time.Time, want string) {
		t.Helper()
		got, err := s.Silence(ctx, rule, key, at)
		check(t, err)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Fatalf("silence of rule %s key %q at %v: %q, want %q", rule, key, at, got, want)
		}
	}
	t.Run("none", func(t *testing.T) {
		s, _ := newStore(t)
		expect(t, s, "r", "k", T0, "")
	})
	t.Run("rule and key", func(t *testing.T) {
		s, add := newStore(t)
		add(t, "r", "", "maintenance", T0.Add(-24*time.Hour), T0.Add(time.Hour))
		add(t, "q", "fb:g", "launch", T0.Add(-24*time.Hour), T0.Add(time.Hour))
		expect(t, s, "r", "fb:g", T0, "maintenance")
		expect(t, s, "r", "anything", T0, "maintenance")
		expect(t, s, "q", "fb:g", T0, "launch")
		expect(t, s, "q", "fb:h", T0, "")
		expect(t, s, "p", "fb:g", T0, "")
	})
	t.Run("holds until it ends", func(t *testing.T) {
		s, add := newStore(t)
		add(t, "r", "", "over", T0.Add(-24*time.Hour), T0)
		expect(t, s, "r", "k", T0.Add(-time.Second), "over")
		expect(t, s, "r", "k", T0, "")
	})
	t.Run("holds from when it was made", func(t *testing.T) {
		s, add := newStore(t)
		add(t, "r", "", "later", T0, T0.Add(time.Hour))
		expect(t, s, "r", "k", T0.Add(-time.Second), "")
		expect(t, s, "r", "k", T0, "later")
	})
	t.Run("the longest gives the reason", func(t *testing.T) {
		s, add := newStore(t)
		add(t, "r", "", "short", T0.Add(-24*time.Hour), T0.Add(time.Hour))
		add(t, "r", "k", "long", T0.Add(-24*time.Hour), T0.Add(2*time.Hour))
		expect(t, s, "r", "k", T0, "long")
		expect(t, s, "r", "other", T0, "short")
	})
}
