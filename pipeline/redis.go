package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// OpenRedis connects to the Redis at url and checks that it answers. The URL never appears
// in an error: it may hold a password.
func OpenRedis(ctx context.Context, url string, poolSize int) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("cannot parse Redis URL (want redis://[user:pass@]host:port/db)")
	}
	opts.PoolSize = poolSize
	// A blocking XREADGROUP holds its connection for BlockTime: reads must wait longer.
	opts.ReadTimeout = 10 * time.Second
	client := redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s: %w", opts.Addr, err)
	}
	return client, nil
}

// RouteRedisLogs sends go-redis's own messages (printed to stderr by default, in its own
// format: a Redis outage would break a log shipper's JSON lines) through logger. go-redis's
// logger is process-wide: call it once, from the composition root.
func RouteRedisLogs(logger *slog.Logger) {
	redis.SetLogger(redisLogger{logger.With("component", "redis")})
}

type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, fmt.Sprintf(format, v...))
}
