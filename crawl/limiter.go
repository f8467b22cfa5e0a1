package crawl

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"groupwatch/clock"
)

// Limiter spaces requests: at most one per Interval for each key (a source, a cookie
// account), each wait stretched by up to Jitter at random, so requests never come at a
// machine's regular beat.
type Limiter struct {
	Interval time.Duration
	Jitter   float64 // 0.5: waits between Interval and 1.5 × Interval
	Clock    clock.Clock
	Rand     func() float64 // default math/rand/v2

	mu   sync.Mutex
	next map[string]time.Time
}

// Wait blocks until a request may go for every key, then books the next slot of each,
// Interval later.
func (l *Limiter) Wait(ctx context.Context, keys ...string) error {
	return l.WaitFor(ctx, l.Interval, keys...)
}

// WaitFor is Wait with the source's own interval: one limiter serves sources of different
// paces that share an account. Under GiveBackAfter, a slot further off than its wait is
// refused with a *PacedError instead.
func (l *Limiter) WaitFor(ctx context.Context, interval time.Duration, keys ...string) error {
	l.mu.Lock()
	if l.next == nil {
		l.next = map[string]time.Time{}
	}
	now := l.Clock.Now()
	at := now
	for _, k := range keys {
		if t := l.next[k]; t.After(at) {
			at = t
		}
	}
	if maxWait, ok := maxWaitFrom(ctx); ok && at.Sub(now) > maxWait {
		l.mu.Unlock()
		return &PacedError{Wait: at.Sub(now)} // nothing booked: the slot stays for whoever comes
	}
	random := l.Rand
	if random == nil {
		random = rand.Float64
	}
	gap := clock.Spread(interval, 1, 1+l.Jitter, random())
	for _, k := range keys {
		l.next[k] = at.Add(gap)
	}
	l.mu.Unlock()
	if wait := at.Sub(now); wait > 0 {
		if !l.Clock.Sleep(ctx, wait) {
			return ctx.Err()
		}
	}
	return nil
}
