package pipeline

import (
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"
)

// correlate gives every message a correlation id (a foreign entry has none: its uuid stands
// in) and a logger that carries it, so every line about the message can be found by it.
func correlate(base *slog.Logger, stage string, corr *correlations) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			id := msg.Metadata.Get(MetaCorrelationID)
			if id == "" {
				id = msg.UUID
				msg.Metadata.Set(MetaCorrelationID, id)
			}
			corr.set(msg.UUID, id)
			defer corr.drop(msg.UUID)
			ctx := withLazyLogger(msg.Context(), base, "stage", stage, "correlation_id", id)
			msg.SetContext(ctx)
			if base.Enabled(ctx, slog.LevelDebug) {
				loggerFrom(ctx, base).Debug("message received", "message_uuid", msg.UUID)
			}
			return h(msg)
		}
	}
}
