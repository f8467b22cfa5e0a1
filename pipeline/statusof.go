package pipeline

import (
	"context"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/queries"
)

// StatusOf is `pipeline status`: it connects to the configured Redis and MySQL each on its
// own, so that one down still leaves the other's part, and reads the report (Status). A
// server it cannot reach is named in Unreachable with the reason.
func StatusOf(ctx context.Context, cfg *config.Config) (StatusReport, error) {
	connect := map[string]error{}
	var q *queries.Queries
	admin, err := OpenAdmin(ctx, cfg)
	if err != nil {
		connect[StatusMySQL] = err
	} else {
		defer admin.Close()
		q = admin.q
	}
	var rdb redis.UniversalClient
	if rdb, err = OpenRedis(ctx, cfg.Redis.URL, 2); err != nil {
		connect[StatusRedis], rdb = err, nil
	} else {
		defer rdb.Close()
	}
	rep, err := Status(ctx, cfg, rdb, q)
	if err != nil {
		return rep, err
	}
	for what, err := range connect {
		rep.Unreachable[what] = err.Error()
	}
	return rep, nil
}
