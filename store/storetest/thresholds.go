package storetest

import (
	"context"
	"testing"
	"time"

	"groupwatch/handlers"
)

// ThresholdStore holds an implementation of handlers.ThresholdStore to its contract: a
// window is bounded on both sides (an event recorded after the caller's now, by a live
// pipeline while a simulation replays the past, is not in it), a post counts once under a
// (rule, key), rules and keys are apart, times come in order, a fresh key may fire, and
// TryFire is a compare-and-set on the state the caller read.
func ThresholdStore(t *testing.T, newStore func(t *testing.T) handlers.ThresholdStore) {
	ctx := context.Background()
	h := time.Hour
	t.Run("window bounded on both sides", func(t *testing.T) {
		s := newStore(t)
		check(t, record(ctx, s, 1, "k", 1, T0, T0.Add(-h)))
		check(t, record(ctx, s, 1, "k", 3, T0.Add(2*h), T0.Add(h))) // recorded live, later
		got, err := s.RecordMatch(ctx, 1, "k", 2, T0.Add(h), T0.Add(-h/2))
		check(t, err)
		if want := []time.Time{T0, T0.Add(h)}; !equalTimes(got, want) {
			t.Fatalf("window (T0-30m, T0+1h]: %v, want %v (nothing after now)", got, want)
		}
		got, err = s.RecordMatch(ctx, 1, "k", 4, T0.Add(90*time.Minute), T0)
		check(t, err)
		if want := []time.Time{T0.Add(h), T0.Add(90 * time.Minute)}; !equalTimes(got, want) {
			t.Fatalf("window (T0, T0+90m]: %v, want %v (since is exclusive)", got, want)
		}
	})
	t.Run("a post counts once", func(t *testing.T) {
		s := newStore(t)
		check(t, record(ctx, s, 1, "k", 1, T0, T0.Add(-h)))
		got, err := s.RecordMatch(ctx, 1, "k", 1, T0.Add(time.Minute), T0.Add(-h))
		check(t, err)
		if want := []time.Time{T0}; !equalTimes(got, want) {
			t.Fatalf("redelivered post: %v, want %v (the first record stands)", got, want)
		}
	})
	t.Run("rules and keys apart, times in order", func(t *testing.T) {
		s := newStore(t)
		check(t, record(ctx, s, 1, "a", 1, T0.Add(2*time.Minute), T0.Add(-h)))
		check(t, record(ctx, s, 1, "a", 2, T0, T0.Add(-h)))
		check(t, record(ctx, s, 1, "b", 3, T0, T0.Add(-h)))
		check(t, record(ctx, s, 2, "a", 4, T0, T0.Add(-h)))
		got, err := s.RecordMatch(ctx, 1, "a", 5, T0.Add(3*time.Minute), T0.Add(-h))
		check(t, err)
		if want := []time.Time{T0, T0.Add(2 * time.Minute), T0.Add(3 * time.Minute)}; !equalTimes(got, want) {
			t.Fatalf("rule 1 key a: %v, want %v", got, want)
		}
	})
	t.Run("fresh key may fire", func(t *testing.T) {
		s := newStore(t)
		st, err := s.FireState(ctx, 7, "k")
		check(t, err)
		if !st.LastFired.IsZero() || st.LastDedupKey != "" || st.Realert != 0 || st.NextAllowed.After(T0.AddDate(-50, 0, 0)) {
			t.Fatalf("fresh state %+v: may not fire now", st)
		}
	})
	t.Run("compare-and-set", func(t *testing.T) {
		s := newStore(t)
		st, err := s.FireState(ctx, 7, "k")
		check(t, err)
		fired, err := s.TryFire(ctx, 7, "k", st, T0, h, "d1")
		check(t, err)
		if !fired {
			t.Fatal("first TryFire on the state read did not fire")
		}
		fired, err = s.TryFire(ctx, 7, "k", st, T0.Add(time.Second), h, "d2")
		check(t, err)
		if fired {
			t.Fatal("a second TryFire on the stale state fired too")
		}
		now, err := s.FireState(ctx, 7, "k")
		check(t, err)
		if !now.NextAllowed.Equal(T0.Add(h)) || now.Realert != h || !now.LastFired.Equal(T0) || now.LastDedupKey != "d1" {
			t.Fatalf("state after firing %+v, want next %v, realert 1h, fired %v, key d1", now, T0.Add(h), T0)
		}
		other, err := s.FireState(ctx, 7, "other")
		check(t, err)
		if !other.LastFired.IsZero() {
			t.Fatalf("firing key k changed key other: %+v", other)
		}
		fired, err = s.TryFire(ctx, 7, "k", now, T0.Add(2*h), 2*h, "d3")
		check(t, err)
		if !fired {
			t.Fatal("TryFire on the state read after the cool-down did not fire")
		}
	})
	t.Run("no daily history", func(t *testing.T) {
		s := newStore(t)
		got, err := s.DailyCounts(ctx, 1, "rule", "*", T0.AddDate(0, 0, -28), T0)
		check(t, err)
		if len(got) != 0 {
			t.Fatalf("daily counts without an ETL: %v, want none", got)
		}
	})
}

func record(ctx context.Context, s handlers.ThresholdStore, rule int64, key string, post int64, at, since time.Time) error {
	_, err := s.RecordMatch(ctx, rule, key, post, at, since)
	return err
}
