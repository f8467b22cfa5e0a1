package pipeline

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/handlers"
)

// The adapters below put a plain-value handler on a topic: decode the payload, call the
// handler, publish what it made. Publishing happens inside the handler function rather than
// by the router, so that a failed publish is retried with backoff like any transient error,
// before the message is acked.

func normalizeStage(h handlers.Normalize, pub message.Publisher, out string) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		var in handlers.RawPost
		if err := decode(msg, &in); err != nil {
			return err
		}
		post, err := h.Handle(msg.Context(), msg.UUID, in)
		if err != nil || post == nil {
			return err
		}
		return publish(pub, out, msg, post)
	}
}

func matchStage(h handlers.Match, pub message.Publisher, out string) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		var in handlers.NormalizedPost
		if err := decode(msg, &in); err != nil {
			return err
		}
		matched, err := h.Handle(msg.Context(), in)
		if err != nil || matched == nil {
			return err
		}
		return publish(pub, out, msg, matched)
	}
}

func evaluateStage(h handlers.Evaluate, pub message.Publisher, out string) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		var in handlers.MatchedPost
		if err := decode(msg, &in); err != nil {
			return err
		}
		alerts, err := h.Handle(msg.Context(), in)
		if err != nil {
			return err
		}
		return publishAlerts(pub, out, msg, alerts)
	}
}

func healthStage(h handlers.Health, pub message.Publisher, out string) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		var in handlers.HealthEvent
		if err := decode(msg, &in); err != nil {
			return err
		}
		alerts, err := h.Handle(msg.Context(), in)
		if err != nil {
			return err
		}
		return publishAlerts(pub, out, msg, alerts)
	}
}

func notifyStage(h handlers.Notify) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		var in handlers.Alert
		if err := decode(msg, &in); err != nil {
			return err
		}
		return h.Handle(msg.Context(), in)
	}
}

func publishAlerts(pub message.Publisher, topic string, parent *message.Message, alerts []handlers.Alert) error {
	payloads := make([]any, len(alerts))
	for i := range alerts {
		payloads[i] = alerts[i]
	}
	return publish(pub, topic, parent, payloads...)
}

func publish(pub message.Publisher, topic string, parent *message.Message, payloads ...any) error {
	if len(payloads) == 0 {
		return nil
	}
	msgs := make([]*message.Message, len(payloads))
	for i, p := range payloads {
		m, err := newMessage(p, parent)
		if err != nil {
			return err
		}
		msgs[i] = m
	}
	if err := pub.Publish(topic, msgs...); err != nil {
		return fmt.Errorf("cannot publish to %s: %w", topic, err)
	}
	return nil
}
