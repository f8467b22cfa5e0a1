package pipeline

import (
	"context"

	"groupwatch/config"
)

// PoisonOf is `pipeline poison`: the poison streams of the configured Redis, and a function
// that closes the connection.
func PoisonOf(ctx context.Context, cfg *config.Config) (PoisonQueue, func() error, error) {
	rdb, err := OpenRedis(ctx, cfg.Redis.URL, 2)
	if err != nil {
		return PoisonQueue{}, nil, err
	}
	return NewPoisonQueue(cfg, rdb), rdb.Close, nil
}
