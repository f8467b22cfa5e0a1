package sinks

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"groupwatch/handlers"
)

// slackFakeClock is a clock whose sleeps move it on at once, recording them.
type slackFakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	cancel bool // sleeps fail as if ctx were done
}

func newSlackFakeClock() *slackFakeClock {
	return &slackFakeClock{now: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
}

func (c *slackFakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *slackFakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel {
		return context.Canceled
	}
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *slackFakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *slackFakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

func TestSlackBucket(t *testing.T) {
	tests := []struct {
		name string
		// steps: a positive duration lets the clock run on; 0 is a Wait.
		steps []time.Duration
		slept []time.Duration
	}{
		{name: "burst goes at once", steps: []time.Duration{0, 0, 0}, slept: nil},
		{name: "then one a second", steps: []time.Duration{0, 0, 0, 0, 0}, slept: []time.Duration{time.Second, time.Second}},
		{name: "a pause refills", steps: []time.Duration{0, 0, 0, 0, 10 * time.Second, 0, 0, 0, 0}, slept: []time.Duration{time.Second, time.Second}},
		{name: "part of a second", steps: []time.Duration{0, 0, 0, 300 * time.Millisecond, 0}, slept: []time.Duration{700 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newSlackFakeClock()
			b := newSlackBucket(slackRate, slackBurst, clock.Now, clock.Sleep)
			for _, step := range tt.steps {
				if step > 0 {
					clock.Advance(step)
					continue
				}
				if err := b.Wait(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if got := clock.Slept(); !slackEqualDurations(got, tt.slept) {
				t.Errorf("slept %v, want %v", got, tt.slept)
			}
		})
	}
}

func slackEqualDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSlackBucketGivesBackTheTokenOfACancelledWait(t *testing.T) {
	clock := newSlackFakeClock()
	b := newSlackBucket(1, 1, clock.Now, clock.Sleep)
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.cancel = true
	if err := b.Wait(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("want the sleep's error, got %v", err)
	}
	clock.cancel = false
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := clock.Slept(); !slackEqualDurations(got, []time.Duration{time.Second}) {
		t.Errorf("slept %v after a cancelled wait, want one second", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a done ctx: %v", err)
	}
}

func TestSlackBucketConcurrentWaitersEachGetTheirSecond(t *testing.T) {
	clock := newSlackFakeClock()
	b := newSlackBucket(1, 1, clock.Now, func(ctx context.Context, d time.Duration) error {
		clock.mu.Lock()
		clock.slept = append(clock.slept, d) // the clock stands still: waits pile up
		clock.mu.Unlock()
		return nil
	})
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Wait(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	total := time.Duration(0)
	for _, d := range clock.Slept() {
		total += d
	}
	// One went at once; the others waited 1s, 2s, 3s and 4s for their turns.
	if total != 10*time.Second {
		t.Errorf("waits %v add up to %v, want 10s", clock.Slept(), total)
	}
}

func TestSlackSendWaitsForTheRateLimit(t *testing.T) {
	slack := newFakeSlack(t)
	s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
	clock := newSlackFakeClock()
	s.lane = newSlackLane(newSlackBucket(slackRate, slackBurst, clock.Now, clock.Sleep))
	for i := range 5 {
		if err := s.Send(context.Background(), testAlert(int64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if got := clock.Slept(); !slackEqualDurations(got, []time.Duration{time.Second, time.Second}) {
		t.Errorf("slept %v for 5 alerts, want the burst of 3 then a second each", got)
	}
	if n := len(slack.delivered(t)); n != 5 {
		t.Errorf("%d delivered, want 5", n)
	}
}

func TestSlackSendRespectsCtxWhileWaiting(t *testing.T) {
	slack := newFakeSlack(t)
	s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
	s.lane = newSlackLane(newSlackBucket(1, 1, time.Now, slackSleep)) // real clock: the second send would wait a second
	if err := s.Send(context.Background(), testAlert(1)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := s.Send(ctx, testAlert(2))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("want the ctx's error, got %v", err)
	}
	assertNoSlackSecret(t, err, slack.webhookURL())
}

func TestSharedSlackLane(t *testing.T) {
	a, b := sharedSlackLane("https://hooks.slack.com/services/T0/B0/a"), sharedSlackLane("https://hooks.slack.com/services/T0/B0/b")
	if a == b || a != sharedSlackLane("https://hooks.slack.com/services/T0/B0/a") {
		t.Error("want one lane per webhook URL")
	}
}

func TestSlack429PausesEverySinkOfTheWebhook(t *testing.T) {
	slack := newFakeSlack(t, slackFakeAnswer{code: 429, body: "rate_limited", retryAfter: "30"}, slackFakeAnswer{code: 200, body: "ok"})
	clock := newSlackFakeClock()
	lane := newSlackLane(newSlackBucket(slackRate, slackBurst, clock.Now, clock.Sleep))
	first, second := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{}), newTestSlack(t, "sales", slack.webhookURL(), SlackOptions{})
	first.lane, second.lane = lane, lane

	var ra handlers.RetryAfter
	if err := first.Send(context.Background(), testAlert(1)); !errors.As(err, &ra) || ra.RetryAfter() != 30*time.Second {
		t.Fatalf("want a 429 saying 30s, got %v", err)
	}
	clock.Advance(10 * time.Second)
	err := second.Send(context.Background(), testAlert(2))
	if !errors.As(err, &ra) || ra.RetryAfter() != 20*time.Second || !strings.Contains(err.Error(), "slack webhook of sink sales") {
		t.Fatalf("want the other sink told to come back in 20s, got %v", err)
	}
	if n := len(slack.delivered(t)); n != 0 {
		t.Fatalf("%d delivered during the pause", n)
	}
	clock.Advance(20 * time.Second)
	if err := second.Send(context.Background(), testAlert(2)); err != nil {
		t.Fatal(err)
	}
	if n := len(slack.delivered(t)); n != 1 {
		t.Fatalf("%d delivered after the pause, want 1", n)
	}
}
