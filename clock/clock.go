// Package clock is the time the pipeline reads and waits on: the wall clock in production, a
// fake one that tests move by hand, so that a test about time does not wait for it. It also
// holds the one context-aware sleep and the one jitter formula.
package clock

import (
	"context"
	"math/rand/v2"
	"time"
)

// Clock tells the time and waits. A wait is a Sleep rather than a timer channel: every wait
// in the pipeline also ends with its context, and a fake clock then needs no timer types.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends; false when ctx ended first.
	Sleep(ctx context.Context, d time.Duration) bool
}

// Real is the wall clock.
type Real struct{}

// Now is time.Now.
func (Real) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx ends.
func (Real) Sleep(ctx context.Context, d time.Duration) bool { return Sleep(ctx, d) }

// Sleep waits d on the wall clock or until ctx ends; false when ctx ended first.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Jitter scales d by a random factor in [lo, hi): Jitter(d, 0.8, 1.2) spreads retries of
// many consumers over ±20% so they do not hit a recovering server at one instant;
// Jitter(d, 1, 1.5) stretches a pace so that requests never come at a machine's beat.
func Jitter(d time.Duration, lo, hi float64) time.Duration { return Spread(d, lo, hi, rand.Float64()) }

// Spread is Jitter with the random number r in [0, 1) given, for callers whose tests fix it.
func Spread(d time.Duration, lo, hi, r float64) time.Duration {
	return time.Duration(float64(d) * (lo + (hi-lo)*r))
}
