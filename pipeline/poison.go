package pipeline

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"groupwatch/handlers"
)

// poison sends a message that failed permanently (malformed, unknown version, foreign, a
// panic) to poisonTopic with the reason, and acks it: one bad message never blocks the
// stream. The metadata keys are watermill's own, so its tools read them.
func poison(pub message.Publisher, topic, poisonTopic string, base *slog.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err == nil || !errors.Is(err, handlers.ErrPermanent) {
				return out, err
			}
			logger := loggerFrom(msg.Context(), base)
			poisoned := msg.Copy()
			poisoned.Metadata.Set(middleware.ReasonForPoisonedKey, err.Error())
			poisoned.Metadata.Set(middleware.PoisonedTopicKey, topic)
			poisoned.Metadata.Set(middleware.PoisonedHandlerKey, message.HandlerNameFromCtx(msg.Context()))
			if perr := pub.Publish(poisonTopic, poisoned); perr != nil {
				// Not acked: the message stays pending and comes back.
				logger.Error("cannot poison message", "reason", err.Error(), "error", perr.Error())
				return nil, fmt.Errorf("cannot publish to %s: %w", poisonTopic, perr)
			}
			logger.Warn("message poisoned", "reason", err.Error(), "poison_topic", poisonTopic, "message_uuid", msg.UUID)
			return nil, nil
		}
	}
}
