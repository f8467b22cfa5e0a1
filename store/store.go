// Package store is the MySQL side of the pipeline and the only code that speaks to the
// sqlc-generated queries: it implements the handlers' and leader jobs' store interfaces
// (held to one contract by store/storetest), batches the normalize stage's writes of
// concurrent consumers into one statement (group commit), and answers the admin commands
// (Admin) in plain values.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"groupwatch/handlers"
	"groupwatch/queries"
)

// Store implements handlers.PostStore, MatchStore, AlertStore and DeliveryStore.
type Store struct {
	db    *sql.DB
	q     *queries.Queries
	posts *postBatcher
	now   func() time.Time

	deliveryLease time.Duration
	// txFault, set only by tests (export_test.go), wraps a transaction's connection to make
	// a write in it fail: how a test shows that a failure midway leaves nothing behind.
	txFault func(queries.DBTX) queries.DBTX
}

// Options tune a Store.
type Options struct {
	// MaxBatch caps the posts written in one statement. Default 500.
	MaxBatch int
	// Writers is how many batches may be written at once. Default 1: a batch is whatever
	// queued while the previous one was written, so one writer keeps batches large. Two
	// writers on a 2-core machine with MariaDB beside the pipeline cost MariaDB a quarter more
	// CPU per post at 2,500 posts/s, raised that run's p99 by half and made the burst no
	// faster (docs/benchmarks.md); a process scales out by more processes instead.
	Writers int
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// DeliveryLease is how long a claim on a delivery holds before another sender may take
	// it over (its sender died mid-send): longer than any one send. Default 2 minutes.
	DeliveryLease time.Duration
}

// New returns a Store over db; Close stops its batch writers.
func New(db *sql.DB, opts Options) *Store {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 500
	}
	if opts.Writers <= 0 {
		opts.Writers = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DeliveryLease <= 0 {
		opts.DeliveryLease = 2 * time.Minute
	}
	q := queries.New(db)
	s := &Store{db: db, q: q, now: opts.Now, deliveryLease: opts.DeliveryLease}
	s.posts = newPostBatcher(q, opts.MaxBatch, opts.Writers, opts.Now)
	return s
}

// Queries gives the generated queries, for tests that look at rows no interface shows.
// Production code outside this package goes through the Store's methods and the handlers'
// interfaces (TestNoQueriesOutsideStore holds it to that).
func (s *Store) Queries() *queries.Queries { return s.q }

// Close stops the batch writers after the batches in hand are written.
func (s *Store) Close() { s.posts.close() }

// SavePost joins the next batch write and returns when that batch is stored.
func (s *Store) SavePost(ctx context.Context, p handlers.PostRecord) (handlers.SavedPost, error) {
	return s.posts.save(ctx, p)
}

// SaveMatch stores one match; a repeat updates the terms.
func (s *Store) SaveMatch(ctx context.Context, ruleID, postID int64, terms []string) error {
	return classify(s.q.UpsertMatch(ctx, queries.UpsertMatchParams{
		RuleID: ruleID, PostID: postID, Terms: termsJSON(terms), CreatedAt: s.now().UTC(),
	}))
}

// CreateAlert stores the alert unless its dedup key is taken and returns the row behind it.
func (s *Store) CreateAlert(ctx context.Context, a handlers.AlertRecord) (handlers.StoredAlert, error) {
	_, err := s.q.InsertAlert(ctx, queries.InsertAlertParams{
		DedupKey: a.DedupKey, RuleID: a.RuleID, PostID: a.PostID, Kind: string(a.Kind),
		Terms: termsJSON(a.Terms), Suppressed: truncate(a.Suppressed, 512), Summary: truncate(a.Summary, 512), Backfill: boolInt(a.Backfill), CreatedAt: s.now().UTC(),
	})
	if err != nil {
		return handlers.StoredAlert{}, classify(err)
	}
	row, err := s.q.GetAlertByDedupKey(ctx, a.DedupKey)
	if err != nil {
		return handlers.StoredAlert{}, classify(err)
	}
	return handlers.StoredAlert{ID: row.ID, CreatedAt: row.CreatedAt, Published: row.Published != 0, Suppressed: row.Suppressed}, nil
}

// DeliveryStatus returns "" when the alert was never handed to the sink.
func (s *Store) DeliveryStatus(ctx context.Context, alertID int64, sink string) (string, error) {
	row, err := s.q.GetDelivery(ctx, queries.GetDeliveryParams{AlertID: alertID, Sink: sink})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return row.Status, classify(err)
}

// ClaimDelivery creates the delivery with the alert if need be and takes the right to send
// it now; false when it is sent or dead, held by a live claim, or failed and not yet due.
func (s *Store) ClaimDelivery(ctx context.Context, a handlers.Alert, sink string) (int, bool, error) {
	now := s.now().UTC()
	payload, err := json.Marshal(a)
	if err != nil {
		return 0, false, handlers.Permanent(fmt.Errorf("cannot encode alert %d: %w", a.AlertID, err))
	}
	if err := s.q.CreateDelivery(ctx, queries.CreateDeliveryParams{AlertID: a.AlertID, Sink: sink, AlertJson: string(payload), UpdatedAt: now}); err != nil {
		return 0, false, classify(err)
	}
	n, err := s.q.ClaimDelivery(ctx, queries.ClaimDeliveryParams{
		LeaseUntil: nullTime(now.Add(s.deliveryLease)), UpdatedAt: now, AlertID: a.AlertID, Sink: sink,
		NextAttemptAt: nullTime(now), LeaseUntil_2: nullTime(now),
	})
	if err != nil || n == 0 {
		return 0, false, classify(err)
	}
	row, err := s.q.GetDelivery(ctx, queries.GetDeliveryParams{AlertID: a.AlertID, Sink: sink})
	if err != nil {
		return 0, false, classify(err)
	}
	return int(row.Attempts), true, nil
}

// MarkSent records a delivery as done.
func (s *Store) MarkSent(ctx context.Context, alertID int64, sink string) error {
	now := s.now().UTC()
	return classify(s.q.MarkDeliverySent(ctx, queries.MarkDeliverySentParams{
		SentAt: nullTime(now), UpdatedAt: now, AlertID: alertID, Sink: sink,
	}))
}

// MarkFailed records why an attempt failed and when to try again.
func (s *Store) MarkFailed(ctx context.Context, alertID int64, sink, reason string, next time.Time) error {
	return classify(s.q.MarkDeliveryFailed(ctx, queries.MarkDeliveryFailedParams{
		LastError: sql.NullString{String: reason, Valid: true}, NextAttemptAt: nullTime(next.UTC()),
		UpdatedAt: s.now().UTC(), AlertID: alertID, Sink: sink,
	}))
}

// MarkDead gives a delivery up, with the reason; `pipeline alerts resend` revives it.
func (s *Store) MarkDead(ctx context.Context, alertID int64, sink, reason string) error {
	return classify(s.q.MarkDeliveryDead(ctx, queries.MarkDeliveryDeadParams{
		LastError: sql.NullString{String: reason, Valid: true}, UpdatedAt: s.now().UTC(), AlertID: alertID, Sink: sink,
	}))
}

// DueDeliveries lists deliveries to sinks that are due for another attempt.
func (s *Store) DueDeliveries(ctx context.Context, sinks []string, limit int) ([]handlers.DueDelivery, error) {
	if len(sinks) == 0 {
		return nil, nil
	}
	now := nullTime(s.now().UTC())
	rows, err := s.q.DueDeliveries(ctx, queries.DueDeliveriesParams{Sinks: sinks, NextAttemptAt: now, LeaseUntil: now, Limit: int32(limit)})
	if err != nil {
		return nil, classify(err)
	}
	out := make([]handlers.DueDelivery, 0, len(rows))
	for _, r := range rows {
		var a handlers.Alert
		if err := json.Unmarshal([]byte(r.AlertJson), &a); err != nil {
			return nil, fmt.Errorf("delivery of alert %d to %s holds an unreadable alert: %w", r.AlertID, r.Sink, err)
		}
		out = append(out, handlers.DueDelivery{Alert: a, Sink: r.Sink, Attempts: int(r.Attempts)})
	}
	return out, nil
}

// UnfinishedDeliveries counts deliveries neither sent nor dead: what --drain waits for.
func (s *Store) UnfinishedDeliveries(ctx context.Context) (int64, error) {
	n, err := s.q.CountUnfinishedDeliveries(ctx)
	return n, classify(err)
}

// MarkAlertPublished notes that the alert reached the alerts topic.
func (s *Store) MarkAlertPublished(ctx context.Context, alertID int64) error {
	return classify(s.q.MarkAlertPublished(ctx, alertID))
}

func termsJSON(terms []string) string {
	if terms == nil {
		terms = []string{}
	}
	b, _ := json.Marshal(terms) // a []string always marshals
	return string(b)
}

// Silence returns why a rule (or its key) is silenced at now, or "".
func (s *Store) Silence(ctx context.Context, rule, key string, now time.Time) (string, error) {
	return silences{s.q}.Silence(ctx, rule, key, now)
}

type silences struct{ q *queries.Queries }

func (s silences) Silence(ctx context.Context, rule, key string, now time.Time) (string, error) {
	row, err := s.q.ActiveSilence(ctx, queries.ActiveSilenceParams{Rule: rule, At: now.UTC(), GroupKey: key})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", classify(err)
	}
	what := "rule " + rule
	if row.GroupKey != "" {
		what += " key " + row.GroupKey
	}
	reason := fmt.Sprintf("silenced (%s) until %s", what, row.EndsAt.UTC().Format(time.RFC3339))
	if row.Reason != "" {
		reason += ": " + row.Reason
	}
	return reason, nil
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func boolInt(b bool) int8 {
	if b {
		return 1
	}
	return 0
}
