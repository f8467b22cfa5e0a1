package sinks

import (
	"context"
	"sync"
	"time"

	"groupwatch/clock"
)

// Slack takes about one message a second on an incoming webhook, with short bursts.
const (
	slackRate  = 1.0 // messages a second
	slackBurst = 3   // so that an alert of up to three messages goes at once
)

// slackBucket is a token bucket. A caller takes a token at once, even one not there yet, and
// sleeps until it would have been: waiters are served in the order they came, each with one
// sleep.
type slackBucket struct {
	rate  float64 // tokens a second
	burst float64
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	tokens float64 // below zero when callers are waiting for tokens they took
	last   time.Time
}

func newSlackBucket(rate float64, burst int, now func() time.Time, sleep func(context.Context, time.Duration) error) *slackBucket {
	return &slackBucket{rate: rate, burst: float64(burst), now: now, sleep: sleep, tokens: float64(burst), last: now()}
}

// Wait returns when a message may go, or with ctx's error, giving the token back.
func (b *slackBucket) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	now := b.now()
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed*b.rate)
		b.last = now
	}
	b.tokens--
	wait := time.Duration(-b.tokens / b.rate * float64(time.Second))
	b.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if err := b.sleep(ctx, wait); err != nil {
		b.mu.Lock()
		b.tokens++
		b.mu.Unlock()
		return err
	}
	return nil
}

// slackSleep is the bucket's wait on the wall clock: clock.Sleep, with ctx's error when ctx
// ended first.
func slackSleep(ctx context.Context, d time.Duration) error {
	if !clock.Sleep(ctx, d) {
		return ctx.Err()
	}
	return nil
}

// slackLane is what every Slack sink posting to one webhook shares: the rate limit, and the
// turn to send, so that the messages of one alert are not interleaved with another's.
type slackLane struct {
	bucket *slackBucket
	turn   chan struct{} // holds a value while someone is sending
	// pausedUntil is when Slack's last 429 told us to come back; read and written only by
	// the holder of the turn.
	pausedUntil time.Time
}

func newSlackLane(b *slackBucket) *slackLane {
	return &slackLane{bucket: b, turn: make(chan struct{}, 1)}
}

// acquire takes the turn to send; release gives it back.
func (l *slackLane) acquire(ctx context.Context) error {
	select {
	case l.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *slackLane) release() { <-l.turn }

// pause stops the webhook's sends for d, as a 429 asks; paused says how long is left.
// The caller holds the turn.
func (l *slackLane) pause(d time.Duration) { l.pausedUntil = l.bucket.now().Add(d) }

func (l *slackLane) paused() time.Duration { return l.pausedUntil.Sub(l.bucket.now()) }

// slackLanes holds one lane per webhook URL for the whole process, so that two sinks that
// post to the same webhook (say, one per rule group) share its limit. The few URLs of a
// configuration are kept for the life of the process.
var slackLanes = struct {
	sync.Mutex
	byURL map[string]*slackLane
}{byURL: map[string]*slackLane{}}

func sharedSlackLane(webhookURL string) *slackLane {
	slackLanes.Lock()
	defer slackLanes.Unlock()
	l, ok := slackLanes.byURL[webhookURL]
	if !ok {
		l = newSlackLane(newSlackBucket(slackRate, slackBurst, time.Now, slackSleep))
		slackLanes.byURL[webhookURL] = l
	}
	return l
}
