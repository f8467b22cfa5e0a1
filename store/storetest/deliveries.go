package storetest

import (
	"context"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
)

// DeliveryLease is the claim a suite's DeliveryStore must be built with.
const DeliveryLease = 2 * time.Minute

// DeliveryStore holds an implementation of handlers.DeliveryStore to its contract: one
// claim at a time per (alert, sink), counted; sent and dead are final; a failed delivery
// waits until it is due, and a claim whose sender died (lease lapsed) can be taken over;
// DueDeliveries lists exactly those, for the sinks asked. newStore's store reads clock and
// holds a claim for DeliveryLease.
func DeliveryStore(t *testing.T, newStore func(t *testing.T, clock *Clock) handlers.DeliveryStore) {
	ctx := context.Background()
	alert := func(id int64) handlers.Alert {
		return handlers.Alert{V: handlers.Version, AlertID: id, Rule: "r", Kind: config.RuleInstant, Source: "fb:g", ExternalID: "1", Text: "acme"}
	}
	claim := func(t *testing.T, s handlers.DeliveryStore, id int64, sink string, wantAttempts int, wantOK bool) {
		t.Helper()
		n, ok, err := s.ClaimDelivery(ctx, alert(id), sink)
		check(t, err)
		if ok != wantOK || (ok && n != wantAttempts) {
			t.Fatalf("claim of alert %d to %s: attempt %d ok %v, want attempt %d ok %v", id, sink, n, ok, wantAttempts, wantOK)
		}
	}
	due := func(t *testing.T, s handlers.DeliveryStore, sinks []string, want ...int64) {
		t.Helper()
		got, err := s.DueDeliveries(ctx, sinks, 100)
		check(t, err)
		ids := map[int64]bool{}
		for _, d := range got {
			ids[d.Alert.AlertID] = true
			if d.Alert.Text != "acme" {
				t.Fatalf("due delivery of alert %d lost its alert: %+v", d.Alert.AlertID, d.Alert)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("due to %v: %+v, want alerts %v", sinks, got, want)
		}
		for _, id := range want {
			if !ids[id] {
				t.Fatalf("due to %v: %+v, want alerts %v", sinks, got, want)
			}
		}
	}
	t.Run("one claim at a time, sinks apart", func(t *testing.T) {
		clock := NewClock()
		s := newStore(t, clock)
		claim(t, s, 1, "slack", 1, true)
		claim(t, s, 1, "slack", 0, false)
		claim(t, s, 1, "email", 1, true)
		due(t, s, []string{"slack", "email"})
	})
	t.Run("sent and dead are final", func(t *testing.T) {
		clock := NewClock()
		s := newStore(t, clock)
		claim(t, s, 1, "slack", 1, true)
		check(t, s.MarkSent(ctx, 1, "slack"))
		claim(t, s, 2, "slack", 1, true)
		check(t, s.MarkDead(ctx, 2, "slack", "404 no such webhook"))
		clock.Add(time.Hour)
		claim(t, s, 1, "slack", 0, false)
		claim(t, s, 2, "slack", 0, false)
		due(t, s, []string{"slack"})
	})
	t.Run("failed waits until due", func(t *testing.T) {
		clock := NewClock()
		s := newStore(t, clock)
		claim(t, s, 1, "slack", 1, true)
		check(t, s.MarkFailed(ctx, 1, "slack", "503", clock.Now().Add(time.Minute)))
		claim(t, s, 1, "slack", 0, false)
		due(t, s, []string{"slack"})
		clock.Add(time.Minute)
		due(t, s, []string{"email"})
		due(t, s, []string{"slack"}, 1)
		claim(t, s, 1, "slack", 2, true)
		due(t, s, []string{"slack"})
	})
	t.Run("lapsed claim is taken over", func(t *testing.T) {
		clock := NewClock()
		s := newStore(t, clock)
		claim(t, s, 1, "slack", 1, true)
		clock.Add(DeliveryLease - time.Second)
		claim(t, s, 1, "slack", 0, false)
		due(t, s, []string{"slack"})
		clock.Add(2 * time.Second)
		due(t, s, []string{"slack"}, 1)
		claim(t, s, 1, "slack", 2, true)
	})
	t.Run("published mark", func(t *testing.T) {
		s := newStore(t, NewClock())
		check(t, s.MarkAlertPublished(ctx, 1))
		check(t, s.MarkAlertPublished(ctx, 1))
	})
}
