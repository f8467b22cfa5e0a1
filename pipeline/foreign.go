package pipeline

import (
	"errors"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/handlers"
)

// rejectForeign fails a stream entry that the tolerant unmarshaller could not read,
// permanently, so that it goes to the poison topic before any retry is spent on it.
func rejectForeign(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		if reason := msg.Metadata.Get(metaForeign); reason != "" {
			return nil, handlers.Permanent(errors.New(reason))
		}
		return h(msg)
	}
}
