package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// ExpiringRedis gives a test about leases a Redis whose keys expire as time passes: the real
// one when GROUPWATCH_TEST_REDIS_URL is set, else a miniredis of the test's own whose clock a
// goroutine moves on with real time, since miniredis expires keys only when told to
// (FastForward). newClient opens a client (closed at the end of the test); prefix is the
// test's key prefix, with its dot.
func ExpiringRedis(t *testing.T) (newClient func() *redis.Client, prefix string) {
	t.Helper()
	env := New(t)
	if env.Real {
		return func() *redis.Client { return env.Redis(t) }, env.Prefix + "."
	}
	mr := miniredis.RunT(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		const tick = 10 * time.Millisecond
		ticker := time.NewTicker(tick)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				mr.FastForward(tick)
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { c.Close() })
		return c
	}, env.Prefix + "."
}
