package pipeline

import (
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"groupwatch/handlers"
)

// panicsArePermanent turns a panic, which watermill's Recoverer makes into an error, into a
// permanent one: the same message would panic again on every retry.
func panicsArePermanent(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := middleware.Recoverer(h)(msg)
		var p middleware.RecoveredPanicError
		if errors.As(err, &p) {
			return nil, handlers.Permanent(fmt.Errorf("handler panicked: %v", p.V))
		}
		return out, err
	}
}
