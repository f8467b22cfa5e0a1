package pipeline

import (
	"log/slog"

	"groupwatch/store"
)

// RouteLibraryLogs sends the messages the MySQL driver and go-redis print on their own (to
// stderr, in formats of their own) through logger. Both loggers are process-wide: a command
// calls it once, when it makes its logger.
func RouteLibraryLogs(logger *slog.Logger) {
	store.RouteDriverLogs(logger)
	RouteRedisLogs(logger)
}
