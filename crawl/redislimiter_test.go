package crawl_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"groupwatch/crawl"
	"groupwatch/internal/testenv"
)

type recordingClock struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (c *recordingClock) Now() time.Time { return time.Now() }
func (c *recordingClock) Sleep(_ context.Context, d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	return true
}

// Two processes crawling sources of one account book their slots in Redis: the second
// waits for the first's interval; a source of another account does not.
func TestRedisLimiterPacesAnAccountAcrossProcesses(t *testing.T) {
	env := testenv.New(t)
	clockA, clockB := &recordingClock{}, &recordingClock{}
	a := &crawl.RedisLimiter{Redis: env.Redis(t), Prefix: env.Prefix + ".", Jitter: 0.5, Clock: clockA}
	b := &crawl.RedisLimiter{Redis: env.Redis(t), Prefix: env.Prefix + ".", Jitter: 0.5, Clock: clockB}
	ctx := context.Background()
	const interval = 20 * time.Second

	if err := a.WaitFor(ctx, interval, "source:one", "account:x"); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitFor(ctx, interval, "source:two", "account:x"); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitFor(ctx, interval, "source:three", "account:y"); err != nil {
		t.Fatal(err)
	}
	if len(clockA.sleeps) != 0 {
		t.Fatalf("the first request waited %v", clockA.sleeps)
	}
	if len(clockB.sleeps) != 1 || clockB.sleeps[0] < interval-time.Second || clockB.sleeps[0] > interval*3/2 {
		t.Fatalf("the second process's sleeps %v, want one of 20-30 s (and none for account y)", clockB.sleeps)
	}
}
