package pipeline

import (
	"context"
	"log/slog"

	"groupwatch/config"
)

// PublishFile is `pipeline ingest`: it connects to the configured Redis and publishes the
// JSON-lines file at path ("-" for stdin) to the raw topic through IngestFile, so a file
// ingested on its own is trimmed to topics.max_len as one ingested by `pipeline run` is.
func PublishFile(ctx context.Context, cfg *config.Config, path string, logger *slog.Logger) (IngestResult, error) {
	rdb, err := OpenRedis(ctx, cfg.Redis.URL, 4)
	if err != nil {
		return IngestResult{}, err
	}
	defer rdb.Close()
	return IngestFile(ctx, cfg, path, rdb, logger)
}
