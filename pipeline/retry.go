package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/clock"
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
	// owner, when set, tells the loop whether its stream entry is still its own (see
	// entryOwnership): it stops once the entry was poisoned or acknowledged elsewhere, and
	// leaves the work to another consumer that claimed it.
	owner *entryOwnership
}

func (r retry) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		ctx := msg.Context()
		var logger *slog.Logger // made at the first failure: most messages never need it
		delay := r.initial
		var ref entryRef
		found := false
		for attempt := 1; ; attempt++ {
			msg.SetContext(ctx)
			out, err := h(msg)
			if err == nil || errors.Is(err, handlers.ErrPermanent) {
				return out, err
			}
			if r.onFailure != nil {
				r.onFailure()
			}
			if logger == nil {
				logger = loggerFrom(ctx, r.logger)
			}
			if ctx.Err() != nil {
				// Shutting down: leave the message pending for the next consumer.
				return nil, err
			}
			if r.owner != nil && !found {
				ref, found = r.owner.find(ctx, msg)
			}
			if stop, result := r.stopRetrying(ctx, logger, ref, found, err); stop {
				return nil, result
			}
			wait := clock.Jitter(delay, 0.8, 1.2) // ±20%: consumers do not hit a recovering server at one instant
			logger.Warn("transient failure, will retry", "error", err.Error(), "attempt", attempt, "wait", wait.String())
			if !clock.Sleep(ctx, wait) {
				return nil, err
			}
			if stop, result := r.stopRetrying(ctx, logger, ref, found, err); stop {
				return nil, result
			}
			delay = min(delay*2, r.max)
		}
	}
}

// stopRetrying checks, before and after each wait, whether the entry is still this loop's.
// When it stops, the result is nil (acknowledge: nothing is pending any more) or err (shut
// down while another consumer held the entry: leave it to that one).
func (r retry) stopRetrying(ctx context.Context, logger *slog.Logger, ref entryRef, found bool, err error) (bool, error) {
	if r.owner == nil || !found {
		return false, nil
	}
	switch r.owner.check(ctx, ref) {
	case notPending:
		logger.Info("retry stopped: the entry was poisoned or acknowledged elsewhere", "entry", ref.id)
		return true, nil
	case ownedElsewhere:
		logger.Info("retry stopped: another consumer claimed the entry; waiting for it to finish", "entry", ref.id)
		if r.owner.waitReleased(ctx, ref, max(r.max, time.Second)) {
			return true, nil
		}
		return true, err
	}
	return false, nil
}
