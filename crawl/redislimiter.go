package crawl

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

// Pacer spaces requests per key; Limiter does it within a process, RedisLimiter across all
// processes crawling with the same accounts.
type Pacer interface {
	WaitFor(ctx context.Context, interval time.Duration, keys ...string) error
}

// RedisLimiter books request slots in Redis, so that two processes crawling sources of one
// account keep to the account's pace together. Slots are reckoned on the Redis server's
// clock, the one clock every process shares.
type RedisLimiter struct {
	Redis  redis.UniversalClient
	Prefix string
	Jitter float64
	Clock  Clock // for sleeping; default RealClock
}

// The script takes the latest booked slot of every key (or now). When it is further off
// than ARGV[2] milliseconds (-1: no bound) it books nothing and returns minus the wait;
// otherwise it books the next slot interval after it for each key and returns the wait.
var bookSlot = redis.NewScript(`
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = now
for i, key in ipairs(KEYS) do
  local next = tonumber(redis.call("GET", key) or "0")
  if next > at then at = next end
end
local bound = tonumber(ARGV[2])
if bound >= 0 and at - now > bound then return -(at - now) end
local gap = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call("SET", key, at + gap, "PX", gap + 60000)
end
return at - now`)

// WaitFor blocks until this process's booked slot for every key comes. Under GiveBackAfter,
// a slot further off than its wait is refused with a *PacedError, nothing booked.
func (l *RedisLimiter) WaitFor(ctx context.Context, interval time.Duration, keys ...string) error {
	gap := time.Duration(float64(interval) * (1 + l.Jitter*rand.Float64()))
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = l.Prefix + "crawl.pace." + k
	}
	bound := int64(-1)
	if maxWait, ok := maxWaitFrom(ctx); ok {
		bound = maxWait.Milliseconds()
	}
	waitMS, err := bookSlot.Run(ctx, l.Redis, full, gap.Milliseconds(), bound).Int64()
	if err != nil {
		return fmt.Errorf("cannot book a request slot: %w", err)
	}
	if waitMS < 0 {
		return &PacedError{Wait: time.Duration(-waitMS) * time.Millisecond}
	}
	clock := l.Clock
	if clock == nil {
		clock = RealClock{}
	}
	if waitMS > 0 && !clock.Sleep(ctx, time.Duration(waitMS)*time.Millisecond) {
		return ctx.Err()
	}
	return nil
}
