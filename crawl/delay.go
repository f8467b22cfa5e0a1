package crawl

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// DelayQueue holds crawl jobs put off until their pace allows (a sorted set scored by the
// time each is due), so that a crawl waiting for its source's or account's next request
// slot does not hold one of the few crawl consumers meanwhile. The scheduler's leader moves
// due jobs back to crawl.jobs.
type DelayQueue struct {
	Redis  redis.UniversalClient
	Prefix string
}

// Add puts a job off until at.
func (q DelayQueue) Add(ctx context.Context, job Job, at time.Time) error {
	b, err := json.Marshal(job)
	if err != nil {
		return err
	}
	if err := q.Redis.ZAdd(ctx, q.key(), redis.Z{Score: float64(at.UnixMilli()), Member: string(b)}).Err(); err != nil {
		return fmt.Errorf("cannot put off job %s: %w", job.ID, err)
	}
	return nil
}

// Due takes the jobs due by now off the queue (at most limit). A job another process took
// first is not returned twice.
func (q DelayQueue) Due(ctx context.Context, now time.Time, limit int64) ([]Job, error) {
	members, err := q.Redis.ZRangeByScore(ctx, q.key(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10), Count: limit,
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("cannot read put-off jobs: %w", err)
	}
	var jobs []Job
	for _, m := range members {
		n, err := q.Redis.ZRem(ctx, q.key(), m).Result()
		if err != nil {
			return jobs, fmt.Errorf("cannot take a put-off job: %w", err)
		}
		var job Job
		if n == 0 || json.Unmarshal([]byte(m), &job) != nil {
			continue
		}
		jobs = append(jobs, job)
	}
	return jobs, nil
}

// Len is how many jobs are put off.
func (q DelayQueue) Len(ctx context.Context) (int64, error) {
	return q.Redis.ZCard(ctx, q.key()).Result()
}

func (q DelayQueue) key() string { return q.Prefix + "crawl.delayed" }
