package pipeline

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// attempt gives each attempt at a message a context of its own: bounded by timeout, and not
// cancelled when the router closes. watermill cancels every message's context the moment it
// starts closing; an attempt cut off there could write an alert to a file and then fail to
// record the delivery, and the redelivery would write it twice. Detached, the attempt in
// flight finishes within the close timeout; the retry middleware above still sees the
// original context and starts no new attempt once shutdown began.
func attempt(timeout time.Duration) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(msg.Context()), timeout)
			defer cancel()
			msg.SetContext(ctx)
			return h(msg)
		}
	}
}

// boundedAttempt bounds each attempt but lets shutdown cancel it: for crawls, which take
// minutes and resume from their cursor.
func boundedAttempt(timeout time.Duration) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx, cancel := context.WithTimeout(msg.Context(), timeout)
			defer cancel()
			msg.SetContext(ctx)
			return h(msg)
		}
	}
}
