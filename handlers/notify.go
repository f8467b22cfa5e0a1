package handlers

import (
	"context"
	"fmt"
)

// Delivery statuses, as stored in the deliveries table.
const (
	DeliveryPending = "pending"
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// Sink delivers alerts somewhere: a file, the console, later Slack and email.
type Sink interface {
	Name() string
	Send(ctx context.Context, a Alert) error
}

// DeliveryStore records one delivery per (alert, sink).
type DeliveryStore interface {
	// DeliveryStatus returns the status of the delivery, or "" when there is none yet.
	DeliveryStatus(ctx context.Context, alertID int64, sink string) (string, error)
	// ClaimDelivery takes the right to send, counting the attempt; false when the delivery
	// is sent or another sender holds a live claim on it.
	ClaimDelivery(ctx context.Context, alertID int64, sink string) (bool, error)
	MarkSent(ctx context.Context, alertID int64, sink string) error
	MarkFailed(ctx context.Context, alertID int64, sink string, reason string) error
	// MarkAlertPublished notes that the alert reached the alerts topic, so evaluate does
	// not publish it again.
	MarkAlertPublished(ctx context.Context, alertID int64) error
}

// Notify sends an alert to each of its sinks that this handler owns, once: a delivery already
// marked sent is skipped, so a redelivered alert is not sent again, and a sender claims the
// delivery before sending, so two consumers handed the same alert do not both send it. A crash
// between a send and its record can repeat that one send (at least once, never lost).
type Notify struct {
	// Sinks this handler owns, by name. An alert's other sinks belong to other handlers.
	Sinks map[string]Sink
	Store DeliveryStore
}

// Handle delivers the alert; an error leaves the message to be retried.
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
		sink, ok := n.Sinks[name]
		if !ok {
			continue
		}
		status, err := n.Store.DeliveryStatus(ctx, in.AlertID, name)
		if err != nil {
			return fmt.Errorf("cannot read delivery of alert %d to %s: %w", in.AlertID, name, err)
		}
		if status == DeliverySent {
			continue
		}
		claimed, err := n.Store.ClaimDelivery(ctx, in.AlertID, name)
		if err != nil {
			return fmt.Errorf("cannot claim delivery of alert %d to %s: %w", in.AlertID, name, err)
		}
		if !claimed {
			status, err := n.Store.DeliveryStatus(ctx, in.AlertID, name)
			if err == nil && status == DeliverySent {
				continue
			}
			// Another consumer is sending it right now: look again after a backoff.
			return fmt.Errorf("delivery of alert %d to %s is in progress elsewhere (status %q)", in.AlertID, name, status)
		}
		if err := sink.Send(ctx, in); err != nil {
			if markErr := n.Store.MarkFailed(ctx, in.AlertID, name, err.Error()); markErr != nil {
				return fmt.Errorf("cannot send alert %d to %s: %w (and cannot record it: %v)", in.AlertID, name, err, markErr)
			}
			return fmt.Errorf("cannot send alert %d to %s: %w", in.AlertID, name, err)
		}
		if err := n.Store.MarkSent(ctx, in.AlertID, name); err != nil {
			return fmt.Errorf("cannot mark alert %d sent to %s: %w", in.AlertID, name, err)
		}
	}
	return nil
}
