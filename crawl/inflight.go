package crawl

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultInflightTTL bounds how long a source's job may stay queued or running before the
// scheduler queues another: long enough for any crawl and its retries, short enough that a
// job lost with a trimmed stream does not stop its source for long.
const DefaultInflightTTL = time.Hour

// Inflight keeps at most one crawl job per source queued or running, across every process:
// a key per source holds the id of its job from the moment the scheduler publishes it until
// the crawl stage has finished it. A tick that finds the key taken is skipped, not queued, so
// a source whose crawls outlast its interval is crawled back to back, never twice at once,
// and a slow crawl stage never gathers a backlog. The key expires after TTL, in case a job
// is lost. A hash keeps the last tick published per source, so a scheduler taking over
// does not publish a tick its predecessor already did.
type Inflight struct {
	Redis  redis.UniversalClient
	Prefix string
	// TTL of a source's key. Default DefaultInflightTTL.
	TTL time.Duration
}

// Claims of Inflight.Take.
const (
	// TakeOK: the job is the source's one in flight; publish it.
	TakeOK = 1
	// TakeBusy: the source's previous job is still queued or running; skip this tick.
	TakeBusy = -1
	// TakeDone: this tick (or a later one) was published already.
	TakeDone = 0
)

// The script refuses a tick not after the last one published, then a source whose key is
// held, and otherwise takes the key and records the tick. It returns the claim and the tick
// recorded before, to put back if the publish fails.
var takeInflight = redis.NewScript(`
local last = redis.call("HGET", KEYS[2], ARGV[1]) or "0"
if tonumber(ARGV[2]) <= tonumber(last) then return {0, last} end
if not redis.call("SET", KEYS[1], ARGV[3], "NX", "PX", ARGV[4]) then return {-1, last} end
redis.call("HSET", KEYS[2], ARGV[1], ARGV[2])
return {1, last}`)

var releaseInflight = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// Take claims the source's slot for job. undo gives it back (when the publish failed).
func (f Inflight) Take(ctx context.Context, job Job) (claim int, undo func(context.Context), err error) {
	res, err := takeInflight.Run(ctx, f.Redis, []string{f.key(job.Source), f.ticksKey()},
		job.Source, job.Tick.UnixMilli(), job.ID, f.ttl().Milliseconds()).Slice()
	if err != nil {
		return 0, nil, fmt.Errorf("cannot mark job %s in flight: %w", job.ID, err)
	}
	claim = int(res[0].(int64))
	prev, _ := res[1].(string)
	undo = func(ctx context.Context) {
		f.Redis.HSet(ctx, f.ticksKey(), job.Source, prev)
		_ = f.Release(ctx, job)
	}
	return claim, undo, nil
}

// holdInflight takes a free source's key, or answers who holds it.
var holdInflight = redis.NewScript(`
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return "" end
return redis.call("GET", KEYS[1]) or ""`)

// Hold takes the source's slot for a job published by nobody (a manual crawl), so that it
// and a scheduled job never crawl one source at once. It returns the id of the job holding
// the source when that is another, and "" when job now holds it (Release gives it back).
func (f Inflight) Hold(ctx context.Context, job Job) (heldBy string, err error) {
	heldBy, err = holdInflight.Run(ctx, f.Redis, []string{f.key(job.Source)}, job.ID, f.ttl().Milliseconds()).Text()
	if err != nil {
		return "", fmt.Errorf("cannot mark job %s in flight: %w", job.ID, err)
	}
	return heldBy, nil
}

// Release frees the source for its next tick, if job still holds it.
func (f Inflight) Release(ctx context.Context, job Job) error {
	if err := releaseInflight.Run(ctx, f.Redis, []string{f.key(job.Source)}, job.ID).Err(); err != nil {
		return fmt.Errorf("cannot release job %s: %w", job.ID, err)
	}
	return nil
}

// Refresh keeps job's hold on its source for another TTL (a job put off for its pace).
func (f Inflight) Refresh(ctx context.Context, job Job) error {
	return f.Redis.Eval(ctx, `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`,
		[]string{f.key(job.Source)}, job.ID, f.ttl().Milliseconds()).Err()
}

func (f Inflight) key(source string) string { return f.Prefix + "crawl.inflight." + source }
func (f Inflight) ticksKey() string         { return f.Prefix + "crawl.ticks" }

func (f Inflight) ttl() time.Duration {
	if f.TTL <= 0 {
		return DefaultInflightTTL
	}
	return f.TTL
}
