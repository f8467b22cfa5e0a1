package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/handlers"
)

// retry runs the handler again after a transient error (MySQL or Redis unreachable, a
// timeout), with exponential backoff and jitter, for as long as it takes: the message stays
// pending in its stream meanwhile, so it waits rather than being lost or poisoned. Permanent
// errors pass straight through to the poison middleware. Each attempt starts from the
// message's original context, since the timeout middleware below replaces it.
type retry struct {
	initial, max time.Duration
	logger       *slog.Logger
	onFailure    func() // counts a failed attempt
}

func (r retry) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		ctx := msg.Context()
		logger := loggerFrom(ctx, r.logger)
		delay := r.initial
		for attempt := 1; ; attempt++ {
			msg.SetContext(ctx)
			out, err := h(msg)
			if err == nil || errors.Is(err, handlers.ErrPermanent) {
				return out, err
			}
			if r.onFailure != nil {
				r.onFailure()
			}
			if ctx.Err() != nil {
				// Shutting down: leave the message pending for the next consumer.
				return nil, err
			}
			wait := jitter(delay)
			logger.Warn("transient failure, will retry", "error", err.Error(), "attempt", attempt, "wait", wait.String())
			if !sleep(ctx, wait) {
				return nil, err
			}
			delay = min(delay*2, r.max)
		}
	}
}

// jitter spreads retries of many consumers over ±20% so they do not hit a recovering
// server at the same instant.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
