package handlers

import (
	"context"
	"errors"
	"testing"
	"time"

	"groupwatch/config"
)

func TestHealthAlertsOncePerSourceVerdictAndHour(t *testing.T) {
	h := Health{RuleID: 3, Sinks: []string{"team"}, Store: &fakeAlerts{}}
	at := time.Date(2026, 11, 27, 10, 5, 0, 0, time.UTC)
	until := at.Add(6 * time.Hour)
	ev := HealthEvent{V: Version, Source: "fb:g", Account: "main", Verdict: "blocked", State: "paused", PausedUntil: &until, Detail: "every source of account main paused", At: at}
	out, err := h.Handle(context.Background(), ev)
	if err != nil || len(out) != 1 || out[0].Rule != config.HealthRuleName || out[0].Sinks[0] != "team" ||
		out[0].Summary != "source fb:g: blocked, paused until 2026-11-27T16:05:00Z" {
		t.Fatalf("alert %+v %v", out, err)
	}
	h.Store.(*fakeAlerts).rows[out[0].DedupKey].Published = true
	ev.At = at.Add(20 * time.Minute)
	if out, _ := h.Handle(context.Background(), ev); len(out) != 0 {
		t.Fatal("the same verdict within the hour alerted twice")
	}
	ev.Verdict = "login_wall"
	if out, _ := h.Handle(context.Background(), ev); len(out) != 1 {
		t.Fatal("another verdict must alert")
	}
	if _, err := h.Handle(context.Background(), HealthEvent{V: Version}); !errors.Is(err, ErrPermanent) {
		t.Fatalf("want permanent for an empty event, got %v", err)
	}
}
