package pipeline

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/handlers"
)

// step puts a plain-value handler on a topic: decode the payload as In, call handle, publish
// what it made to out. Publishing happens inside the handler function rather than by the
// router, so that a failed publish is retried with backoff like any transient error, before
// the message is acked. A stage that publishes nothing (notify) has no out.
func step[In, Out any](pub message.Publisher, out string, handle func(ctx context.Context, msg *message.Message, in In) ([]Out, error)) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		var in In
		if err := decode(msg, &in); err != nil {
			return err
		}
		made, err := handle(msg.Context(), msg, in)
		if err != nil {
			return err
		}
		return publish(pub, out, msg, made...)
	}
}

func normalizeStage(h handlers.Normalize, pub message.Publisher, out string) message.NoPublishHandlerFunc {
	return step(pub, out, func(ctx context.Context, msg *message.Message, in handlers.RawPost) ([]*handlers.NormalizedPost, error) {
		post, err := h.Handle(ctx, msg.UUID, in)
		return orNone(post), err // nil: a repeated post stops here
	})
}

func matchStage(h handlers.Match, pub message.Publisher, out string) message.NoPublishHandlerFunc {
	return step(pub, out, func(ctx context.Context, _ *message.Message, in handlers.NormalizedPost) ([]*handlers.MatchedPost, error) {
		matched, err := h.Handle(ctx, in)
		return orNone(matched), err // nil: no rule matched
	})
}

func evaluateStage(h handlers.Evaluate, pub message.Publisher, out string) message.NoPublishHandlerFunc {
	return step(pub, out, func(ctx context.Context, _ *message.Message, in handlers.MatchedPost) ([]handlers.Alert, error) {
		return h.Handle(ctx, in)
	})
}

func healthStage(h handlers.Health, pub message.Publisher, out string) message.NoPublishHandlerFunc {
	return step(pub, out, func(ctx context.Context, _ *message.Message, in handlers.HealthEvent) ([]handlers.Alert, error) {
		return h.Handle(ctx, in)
	})
}

func notifyStage(h handlers.Notify) message.NoPublishHandlerFunc {
	return step(nil, "", func(ctx context.Context, _ *message.Message, in handlers.Alert) ([]struct{}, error) {
		return nil, h.Handle(ctx, in)
	})
}

// orNone is the one payload p, or none when p is nil.
func orNone[T any](p *T) []*T {
	if p == nil {
		return nil
	}
	return []*T{p}
}

// publish sends payloads to topic in one call, each carrying parent's metadata.
func publish[T any](pub message.Publisher, topic string, parent *message.Message, payloads ...T) error {
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
