package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// OpenRedis connects to the Redis at url, one node (redis://, rediss://) or a Redis Cluster
// (redis+cluster://host:port,host:port, rediss+cluster:// with TLS), and checks that it
// answers. The URL never appears in an error: it may hold a password.
func OpenRedis(ctx context.Context, url string, poolSize int) (redis.UniversalClient, error) {
	var client redis.UniversalClient
	var addr string
	if scheme, rest, ok := strings.Cut(url, "+cluster://"); ok {
		opts, err := parseClusterURL(scheme, rest)
		if err != nil {
			return nil, err
		}
		opts.PoolSize = poolSize
		opts.ReadTimeout = 10 * time.Second
		// go-redis reloads its slot map every minute or on MOVED; a refused connection to a
		// master that died is neither, so it would go on dialling the dead node for up to a
		// minute after its replica took over.
		opts.ClusterStateReloadInterval = 2 * time.Second
		client, addr = redis.NewClusterClient(opts), strings.Join(opts.Addrs, ",")
	} else {
		opts, err := redis.ParseURL(url)
		if err != nil {
			return nil, fmt.Errorf("cannot parse Redis URL (want redis://[user:pass@]host:port/db or redis+cluster://[user:pass@]host:port,host:port)")
		}
		opts.PoolSize = poolSize
		// A blocking XREADGROUP holds its connection for BlockTime: reads must wait longer.
		opts.ReadTimeout = 10 * time.Second
		client, addr = redis.NewClient(opts), opts.Addr
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("cannot reach Redis at %s: %w", addr, err)
	}
	return client, nil
}

// parseClusterURL reads redis+cluster://[user:pass@]host:port,host:port[?options] (scheme is
// what came before "+cluster"): go-redis's cluster URL form with the nodes listed in the host.
func parseClusterURL(scheme, rest string) (*redis.ClusterOptions, error) {
	bad := fmt.Errorf("cannot parse Redis Cluster URL (want redis+cluster://[user:pass@]host:port,host:port)")
	if scheme != "redis" && scheme != "rediss" {
		return nil, bad
	}
	userinfo, hostsAndRest := "", rest
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		userinfo, hostsAndRest = rest[:at+1], rest[at+1:]
	}
	hosts, query := hostsAndRest, ""
	if i := strings.IndexAny(hostsAndRest, "/?"); i >= 0 {
		hosts, query = hostsAndRest[:i], hostsAndRest[i:]
	}
	addrs := strings.Split(hosts, ",")
	if len(addrs) == 0 || addrs[0] == "" {
		return nil, bad
	}
	q := strings.TrimPrefix(strings.TrimPrefix(query, "/"), "?")
	for _, a := range addrs[1:] {
		if q != "" {
			q += "&"
		}
		q += "addr=" + a
	}
	u := scheme + "://" + userinfo + addrs[0]
	if q != "" {
		u += "?" + q
	}
	opts, err := redis.ParseClusterURL(u)
	if err != nil {
		return nil, bad
	}
	return opts, nil
}

// sharedClient is one Redis client handed to many watermill subscribers and publishers.
// Each of them closes its client when it closes, and the router closes a handler's
// subscriber while other handlers still run: the client is closed once, by its owner, after
// the router has stopped.
type sharedClient struct{ redis.UniversalClient }

func (sharedClient) Close() error { return nil }

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
