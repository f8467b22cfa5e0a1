package leader

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Lease is one key in Redis naming its holder, with a time to live: the holder renews it
// while it lives, and any other instance takes it once it lapses (a holder killed with -9).
type Lease struct {
	Redis    redis.UniversalClient
	Key      string
	Instance string
	// TTL is how long a holder that stopped renewing keeps the lease. Default 15s.
	TTL time.Duration
}

var renewScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

var releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`)

// Take takes the lease if nobody holds it, and says whether this instance holds it now.
func (l Lease) Take(ctx context.Context) (bool, error) {
	ok, err := l.Redis.SetNX(ctx, l.Key, l.Instance, l.ttl()).Result()
	if err != nil {
		return false, fmt.Errorf("cannot take lease %s: %w", l.Key, err)
	}
	return ok, nil
}

// Renew extends the lease if this instance still holds it, and says whether it does.
func (l Lease) Renew(ctx context.Context) (bool, error) {
	n, err := renewScript.Run(ctx, l.Redis, []string{l.Key}, l.Instance, l.ttl().Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("cannot renew lease %s: %w", l.Key, err)
	}
	return n == 1, nil
}

// Release gives the lease up if this instance holds it, so another takes over at once.
func (l Lease) Release(ctx context.Context) error {
	if err := releaseScript.Run(ctx, l.Redis, []string{l.Key}, l.Instance).Err(); err != nil {
		return fmt.Errorf("cannot release lease %s: %w", l.Key, err)
	}
	return nil
}

func (l Lease) ttl() time.Duration {
	if l.TTL <= 0 {
		return 15 * time.Second
	}
	return l.TTL
}
