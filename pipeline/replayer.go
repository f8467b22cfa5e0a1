package pipeline

import (
	"context"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
)

// Replayer is `pipeline replay`'s hold on the configured Redis: it plans a replay, then,
// once the command has shown the plan, carries it out (PlanReplay and Replay say how).
type Replayer struct{ rdb redis.UniversalClient }

// OpenReplayer connects to the configured Redis.
func OpenReplayer(ctx context.Context, cfg *config.Config) (*Replayer, error) {
	rdb, err := OpenRedis(ctx, cfg.Redis.URL, 4)
	if err != nil {
		return nil, err
	}
	return &Replayer{rdb: rdb}, nil
}

// Plan checks a replay and counts what it would deliver (PlanReplay).
func (r *Replayer) Plan(ctx context.Context, p ReplayPlan) (ReplayPlan, error) {
	return PlanReplay(ctx, r.rdb, p)
}

// Replay carries out a plan from Plan (Replay).
func (r *Replayer) Replay(ctx context.Context, p ReplayPlan, progress func(done int64)) error {
	return Replay(ctx, r.rdb, p, progress)
}

// Close closes the connection.
func (r *Replayer) Close() error { return r.rdb.Close() }
