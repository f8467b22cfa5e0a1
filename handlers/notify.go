package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"groupwatch/clock"
)

// Delivery statuses, as stored in the deliveries table.
const (
	DeliveryPending = "pending"
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
	DeliveryDead    = "dead"
)

// Sink delivers alerts somewhere: a file, the console, Slack, email.
type Sink interface {
	Name() string
	Send(ctx context.Context, a Alert) error
}

// DueDelivery is a delivery the retrier should try again now.
type DueDelivery struct {
	Alert    Alert
	Sink     string
	Attempts int
}

// DeliveryStore records one delivery per (alert, sink).
type DeliveryStore interface {
	// ClaimDelivery creates the delivery if need be (keeping the alert, so a retry needs
	// nothing else) and takes the right to send it now, counting the attempt. ok is false
	// when it is sent or dead, held by a live claim elsewhere, or failed and not yet due.
	ClaimDelivery(ctx context.Context, a Alert, sink string) (attempts int, ok bool, err error)
	MarkSent(ctx context.Context, alertID int64, sink string) error
	// MarkFailed schedules the next attempt: retries are durable, not a sleep in memory.
	MarkFailed(ctx context.Context, alertID int64, sink, reason string, next time.Time) error
	MarkDead(ctx context.Context, alertID int64, sink, reason string) error
	// MarkAlertPublished notes that the alert reached the alerts topic, so evaluate does
	// not publish it again.
	MarkAlertPublished(ctx context.Context, alertID int64) error
	// DueDeliveries lists deliveries to the given sinks that are due for another attempt.
	DueDeliveries(ctx context.Context, sinks []string, limit int) ([]DueDelivery, error)
}

// Notify sends an alert to each of its sinks that this handler owns, once: a sender claims
// the delivery before sending, so a redelivered alert, or one handed to two consumers, is
// not sent twice, and a delivery marked sent is never sent again. A transient failure
// (Slack 5xx or 429, SMTP 4xx, a network error) schedules the next attempt in the deliveries
// table with backoff (or the sink's Retry-After), and RetryDue takes it up, in any process,
// after a restart too; a permanent failure (a 4xx, a rejected address) or MaxAttempts makes the
// delivery dead at once. A crash between a send and its record can repeat that one send (at
// least once, never lost).
type Notify struct {
	// Sinks this handler owns, by name. An alert's other sinks belong to other handlers.
	Sinks map[string]Sink
	Store DeliveryStore
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// MaxAttempts before a delivery failing transiently is given up as dead. Default 12
	// (with the default backoff, about 9 hours).
	MaxAttempts int
	// RetryBase is the first wait before a retry; it doubles up to 30 minutes. Default 5s.
	RetryBase time.Duration
}

// Backoff of delivery retries: doubling from RetryBase, at most retryCap, ±20% jitter.
const (
	defaultRetryBase = 5 * time.Second
	retryCap         = 30 * time.Minute
)

// Handle delivers the alert; an error (the store unreachable) leaves the message to be
// retried. A failing sink is not an error here: its delivery is scheduled for a retry.
func (n Notify) Handle(ctx context.Context, in Alert) error {
	if in.V != Version {
		return Permanent(fmt.Errorf("unknown payload version %d (want %d)", in.V, Version))
	}
	if in.AlertID == 0 {
		return Permanent(fmt.Errorf("invalid alert: alert_id: missing"))
	}
	if err := n.Store.MarkAlertPublished(ctx, in.AlertID); err != nil {
		return fmt.Errorf("cannot mark alert %d published: %w", in.AlertID, err)
	}
	for _, name := range in.Sinks {
		if _, ok := n.Sinks[name]; !ok {
			continue
		}
		if err := n.deliver(ctx, in, name); err != nil {
			return err
		}
	}
	return nil
}

// RetryDue tries again every due delivery of this handler's sinks (up to limit) and says
// how many it tried.
func (n Notify) RetryDue(ctx context.Context, limit int) (int, error) {
	names := make([]string, 0, len(n.Sinks))
	for name := range n.Sinks {
		names = append(names, name)
	}
	due, err := n.Store.DueDeliveries(ctx, names, limit)
	if err != nil {
		return 0, fmt.Errorf("cannot list due deliveries: %w", err)
	}
	for i, d := range due {
		if ctx.Err() != nil {
			return i, nil // shutting down: the rest stay due
		}
		// A delivery begun is finished, shutdown or not, so it is not left claimed.
		if err := n.deliver(context.WithoutCancel(ctx), d.Alert, d.Sink); err != nil {
			return i, err
		}
	}
	return len(due), nil
}

func (n Notify) deliver(ctx context.Context, a Alert, name string) error {
	attempts, ok, err := n.Store.ClaimDelivery(ctx, a, name)
	if err != nil {
		return fmt.Errorf("cannot claim delivery of alert %d to %s: %w", a.AlertID, name, err)
	}
	if !ok {
		return nil // sent, dead, in the hands of another sender, or scheduled
	}
	sendErr := n.Sinks[name].Send(ctx, a)
	switch {
	case sendErr == nil:
		err = n.Store.MarkSent(ctx, a.AlertID, name)
	case errors.Is(sendErr, ErrPermanent):
		err = n.Store.MarkDead(ctx, a.AlertID, name, sendErr.Error())
	case attempts >= n.maxAttempts():
		err = n.Store.MarkDead(ctx, a.AlertID, name, fmt.Sprintf("gave up after %d attempts: %v", attempts, sendErr))
	default:
		err = n.Store.MarkFailed(ctx, a.AlertID, name, sendErr.Error(), n.now().Add(retryDelay(n.retryBase(), attempts, sendErr)))
	}
	if err != nil {
		return fmt.Errorf("cannot record delivery of alert %d to %s: %w", a.AlertID, name, err)
	}
	return nil
}

// retryDelay is the sink's Retry-After if it gave one, else the backoff after attempts.
func retryDelay(base time.Duration, attempts int, err error) time.Duration {
	var ra RetryAfter
	if errors.As(err, &ra) {
		return max(ra.RetryAfter(), time.Second)
	}
	d := base
	for i := 1; i < attempts && d < retryCap; i++ {
		d *= 2
	}
	d = min(d, retryCap)
	return clock.Jitter(d, 0.8, 1.2)
}

func (n Notify) retryBase() time.Duration {
	if n.RetryBase > 0 {
		return n.RetryBase
	}
	return defaultRetryBase
}

func (n Notify) maxAttempts() int {
	if n.MaxAttempts > 0 {
		return n.MaxAttempts
	}
	return 12
}

func (n Notify) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}
