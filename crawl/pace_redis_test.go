package crawl_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"groupwatch/crawl"
	"groupwatch/internal/testenv"
)

// The Redis limiter under GiveBackAfter refuses a far slot without booking it, and waits for
// a near one.
func TestRedisLimiterGivesBackInsteadOfWaiting(t *testing.T) {
	env := testenv.New(t)
	clock := &recordingClock{}
	l := &crawl.RedisLimiter{Redis: env.Redis(t), Prefix: env.Prefix + ".", Clock: clock}
	ctx := context.Background()
	if err := l.WaitFor(ctx, 10*time.Second, "account:a"); err != nil {
		t.Fatal(err)
	}
	err := l.WaitFor(crawl.GiveBackAfter(ctx, 2*time.Second), 10*time.Second, "account:a")
	var paced *crawl.PacedError
	if !errors.As(err, &paced) || paced.Wait <= 2*time.Second || paced.Wait > 10*time.Second {
		t.Fatalf("want a PacedError of up to 10 s, got %v", err)
	}
	if err := l.WaitFor(crawl.GiveBackAfter(ctx, time.Minute), 10*time.Second, "account:a"); err != nil {
		t.Fatal(err)
	}
	if len(clock.sleeps) != 1 || clock.sleeps[0] > 10*time.Second {
		t.Fatalf("slept %v: want one wait for the first slot, not a second one booked by the refused call", clock.sleeps)
	}
}
