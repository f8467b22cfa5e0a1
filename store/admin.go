package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"groupwatch/handlers"
	"groupwatch/queries"
	"groupwatch/simulate"
)

// Admin is what the admin commands (alerts, silence, rules test, status) read and change:
// plain values out, no generated row type, so no caller learns the schema's nulls.
type Admin struct{ q *queries.Queries }

// NewAdmin reads and changes db for the admin commands; it starts nothing, so it needs no
// Close of its own.
func NewAdmin(db *sql.DB) *Admin { return &Admin{q: queries.New(db)} }

// AlertRow is one line of `pipeline alerts list`.
type AlertRow struct {
	ID         int64
	CreatedAt  time.Time
	Rule       string
	Source     string // "" for an alert on no post (a digest, a threshold, a source's health)
	ExternalID string
	Terms      string
}

// ListAlerts returns the newest alerts, at most limit, or with status those having a
// delivery in that status.
func (a *Admin) ListAlerts(ctx context.Context, status string, limit int32) ([]AlertRow, error) {
	var out []AlertRow
	if status == "" {
		rows, err := a.q.ListAlerts(ctx, limit)
		if err != nil {
			return nil, classify(err)
		}
		for _, r := range rows {
			out = append(out, AlertRow{r.ID, r.CreatedAt, r.RuleName, r.Source.String, r.ExternalID.String, r.Terms})
		}
		return out, nil
	}
	rows, err := a.q.ListAlertsByDeliveryStatus(ctx, queries.ListAlertsByDeliveryStatusParams{Status: status, Limit: limit})
	if err != nil {
		return nil, classify(err)
	}
	for _, r := range rows {
		out = append(out, AlertRow{r.ID, r.CreatedAt, r.RuleName, r.Source.String, r.ExternalID.String, r.Terms})
	}
	return out, nil
}

// Alert returns why an alert fired, on what, and its deliveries; an id with no alert is an
// error saying so.
func (a *Admin) Alert(ctx context.Context, id int64) (AlertDetail, error) {
	d, err := alertDetail(ctx, a.q, id)
	if errors.Is(err, ErrNotFound) {
		return d, fmt.Errorf("no alert %d: %w", id, ErrNotFound)
	}
	return d, err
}

// ResendDeliveries makes every failed or dead delivery of an existing alert due now, for a
// running pipeline's retrier to try, and returns how many.
func (a *Admin) ResendDeliveries(ctx context.Context, alertID int64, now time.Time) (int64, error) {
	if _, err := a.Alert(ctx, alertID); err != nil {
		return 0, err
	}
	n, err := a.q.ResendDeliveries(ctx, queries.ResendDeliveriesParams{
		NextAttemptAt: nullTime(now), UpdatedAt: now, AlertID: alertID,
	})
	return n, classify(err)
}

// DeliveryCounts counts the deliveries in each status, sent ones up to SentCountCap.
func (a *Admin) DeliveryCounts(ctx context.Context) (map[string]int64, error) {
	return deliveryCounts(ctx, a.q)
}

// Sources returns the stored state of every source.
func (a *Admin) Sources(ctx context.Context) ([]SourceRow, error) { return listSources(ctx, a.q) }

// Posts reads the stored posts for a simulation (`pipeline rules test`).
func (a *Admin) Posts() simulate.Posts { return postReader{a.q} }

// Silences reads the silences in force, as the evaluate stage does.
func (a *Admin) Silences() handlers.Silences { return silences{a.q} }
