package handlers

import (
	"context"
	"fmt"
	"time"

	"groupwatch/config"
)

// Health turns a source's health events into alerts, so that a blocked source, one that
// needs new cookies or one gone quiet does not fail silently. One alert per source, verdict
// and hour: a source that stays blocked does not page every crawl.
type Health struct {
	// RuleID is the id of the source-health rule in MySQL.
	RuleID int64
	Sinks  []string
	Store  AlertStore
}

// Handle stores the event's alert and returns it for publishing, unless it was published.
func (h Health) Handle(ctx context.Context, ev HealthEvent) ([]Alert, error) {
	if ev.V != Version {
		return nil, Permanent(fmt.Errorf("unknown payload version %d (want %d)", ev.V, Version))
	}
	if ev.Source == "" || ev.Verdict == "" {
		return nil, Permanent(fmt.Errorf("invalid health event: source and verdict are required"))
	}
	key := DedupKey(string(config.RuleHealth), ev.Source, ev.Verdict, ev.At.UTC().Truncate(time.Hour).Format(time.RFC3339))
	summary := fmt.Sprintf("source %s: %s", ev.Source, ev.Verdict)
	if ev.PausedUntil != nil {
		summary += fmt.Sprintf(", paused until %s", ev.PausedUntil.UTC().Format(time.RFC3339))
	}
	stored, err := h.Store.CreateAlert(ctx, AlertRecord{DedupKey: key, RuleID: h.RuleID, Kind: config.RuleHealth, Terms: []string{ev.Verdict}, Summary: summary})
	if err != nil {
		return nil, fmt.Errorf("cannot store health alert of %s: %w", ev.Source, err)
	}
	if stored.Published {
		return nil, nil
	}
	return []Alert{{
		V: Version, AlertID: stored.ID, DedupKey: key, Rule: config.HealthRuleName, Kind: config.RuleHealth, Sinks: h.Sinks,
		Source: ev.Source, ExternalID: "", Author: ev.Account, Text: ev.Detail, Terms: []string{ev.Verdict},
		Summary: summary, ReceivedAt: ev.At, CreatedAt: stored.CreatedAt,
	}}, nil
}
