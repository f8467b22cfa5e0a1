package pipeline

import (
	"errors"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/handlers"
)

// rejectForeign fails a stream entry that the tolerant unmarshaller could not read,
// permanently, so that it goes to the poison topic before any retry is spent on it.
//
// Several consumer groups may read one topic (alerts: one notify group per sink kind), and
// each is handed the same foreign entry. Only the topic's first group (poisons) sends it to
// the poison topic; the others acknowledge it quietly, so it is poisoned once, not once per
// group.
func rejectForeign(poisons bool, logger *slog.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			reason := msg.Metadata.Get(metaForeign)
			switch {
			case reason == "":
				return h(msg)
			case poisons:
				return nil, handlers.Permanent(errors.New(reason))
			}
			loggerFrom(msg.Context(), logger).Debug("foreign entry skipped: the topic's first group poisons it", "reason", reason)
			return nil, nil
		}
	}
}
