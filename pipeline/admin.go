package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"groupwatch/config"
	"groupwatch/queries"
	"groupwatch/store"
)

// Admin is what the admin commands (alerts, silence, rules test, status) read and change in
// the configured MySQL: the commands ask it, and only it knows there is a database behind.
type Admin struct {
	db *sql.DB
	q  *queries.Queries
}

// OpenAdmin connects to the configured MySQL with a small pool: an admin command asks a
// few questions one after another.
func OpenAdmin(ctx context.Context, cfg *config.Config) (*Admin, error) {
	db, err := store.Open(ctx, cfg.MySQL.DSN, 2)
	if err != nil {
		return nil, err
	}
	return &Admin{db: db, q: queries.New(db)}, nil
}

// Close closes the connections.
func (a *Admin) Close() error { return a.db.Close() }

// AlertRow is one line of `pipeline alerts list`.
type AlertRow struct {
	ID         int64
	CreatedAt  time.Time
	Rule       string
	Source     string
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
			return nil, err
		}
		for _, r := range rows {
			out = append(out, AlertRow{r.ID, r.CreatedAt, r.RuleName, r.Source.String, r.ExternalID.String, r.Terms})
		}
		return out, nil
	}
	rows, err := a.q.ListAlertsByDeliveryStatus(ctx, queries.ListAlertsByDeliveryStatusParams{Status: status, Limit: limit})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out = append(out, AlertRow{r.ID, r.CreatedAt, r.RuleName, r.Source.String, r.ExternalID.String, r.Terms})
	}
	return out, nil
}

// Alert returns why an alert fired and on what; an id with no alert is an error saying so.
func (a *Admin) Alert(ctx context.Context, id int64) (queries.GetAlertDetailRow, error) {
	d, err := a.q.GetAlertDetail(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("no alert %d", id)
	}
	return d, err
}

// Deliveries returns the deliveries of an alert, one per sink.
func (a *Admin) Deliveries(ctx context.Context, alertID int64) ([]queries.ListDeliveriesOfAlertRow, error) {
	return a.q.ListDeliveriesOfAlert(ctx, alertID)
}

// ResendDeliveries makes every failed or dead delivery of an existing alert due now, for a
// running pipeline's retrier to try, and returns how many.
func (a *Admin) ResendDeliveries(ctx context.Context, alertID int64, now time.Time) (int64, error) {
	if _, err := a.Alert(ctx, alertID); err != nil {
		return 0, err
	}
	return a.q.ResendDeliveries(ctx, queries.ResendDeliveriesParams{
		NextAttemptAt: sql.NullTime{Time: now, Valid: true}, UpdatedAt: now, AlertID: alertID,
	})
}

// TestRule is `pipeline rules test` over the stored posts and the silences in force
// (TestRule, package-level, says how).
func (a *Admin) TestRule(ctx context.Context, rule config.Rule, since time.Time) (RuleTestReport, error) {
	return TestRule(ctx, rule, store.PostsOf(a.q), store.SilencesOf(a.q), since)
}
