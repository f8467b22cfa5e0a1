package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
)

// NewLogger returns the one logger of a command. format is "json", "text" or "" for the
// default: JSON when stdout is not a terminal (a log shipper's input), text otherwise. Logs go
// to w (stderr), so stdout stays free for alerts on a console sink.
func NewLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("invalid log level %q (debug, info, warn, error)", level)
	}
	if format == "" {
		format = "text"
		if fi, err := os.Stdout.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			format = "json"
		}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid log format %q (json or text)", format)
}

type loggerKey struct{}

// messageLogger is a message's logger, made when first asked for: most messages log
// nothing, and building a logger with its fields for each cost 3% of the pipeline's CPU.
type messageLogger struct {
	once   sync.Once
	base   *slog.Logger
	args   []any
	logger *slog.Logger
}

func (m *messageLogger) get() *slog.Logger {
	m.once.Do(func() { m.logger = m.base.With(m.args...) })
	return m.logger
}

// withLazyLogger puts in ctx a logger for one message: base with args, made when used.
func withLazyLogger(ctx context.Context, base *slog.Logger, args ...any) context.Context {
	return context.WithValue(ctx, loggerKey{}, &messageLogger{base: base, args: args})
}

// loggerFrom returns the message's logger (carrying its correlation id), or base.
func loggerFrom(ctx context.Context, base *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*messageLogger); ok {
		return l.get()
	}
	return base
}

// correlations maps the uuid of each message in flight to its correlation id, so that
// watermill's own log lines about a message, which know only its uuid, carry it too. A map
// under a mutex: every key is written once and deleted once, the churn sync.Map is slowest at.
type correlations struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *correlations) set(uuid, id string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]string)
	}
	c.m[uuid] = id
	c.mu.Unlock()
}

func (c *correlations) drop(uuid string) {
	c.mu.Lock()
	delete(c.m, uuid)
	c.mu.Unlock()
}

func (c *correlations) get(uuid string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.m[uuid]
	return id, ok
}

// watermillLogger adapts slog for watermill: its chatty Info lines (one per consumer at
// start) become Debug, and a line naming a message uuid gains the correlation id.
// Lines below the logger's level return before any field is built: watermill writes a Trace
// and a Debug line for every message, which cost 4% of the pipeline's CPU when built and then
// dropped.
type watermillLogger struct {
	inner watermill.LoggerAdapter
	slog  *slog.Logger
	corr  *correlations
}

func newWatermillLogger(l *slog.Logger, corr *correlations) watermill.LoggerAdapter {
	l = l.With("component", "watermill")
	inner := watermill.NewSlogLoggerWithLevelMapping(l, map[slog.Level]slog.Level{
		slog.LevelInfo: slog.LevelDebug,
	})
	return watermillLogger{inner: inner, slog: l, corr: corr}
}

func (w watermillLogger) enabled(level slog.Level) bool {
	return w.slog.Enabled(context.Background(), level)
}

func (w watermillLogger) enrich(fields watermill.LogFields) watermill.LogFields {
	if uuid, ok := fields["message_uuid"].(string); ok {
		if id, ok := w.corr.get(uuid); ok {
			return fields.Add(watermill.LogFields{"correlation_id": id})
		}
	}
	return fields
}

func (w watermillLogger) Error(msg string, err error, fields watermill.LogFields) {
	w.inner.Error(msg, err, w.enrich(fields))
}
func (w watermillLogger) Info(msg string, fields watermill.LogFields) {
	if w.enabled(slog.LevelDebug) { // watermill's Info is our Debug
		w.inner.Info(msg, w.enrich(fields))
	}
}
func (w watermillLogger) Debug(msg string, fields watermill.LogFields) {
	if w.enabled(slog.LevelDebug) {
		w.inner.Debug(msg, w.enrich(fields))
	}
}
func (w watermillLogger) Trace(msg string, fields watermill.LogFields) {
	if w.enabled(watermill.LevelTrace) {
		w.inner.Trace(msg, w.enrich(fields))
	}
}
func (w watermillLogger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return watermillLogger{inner: w.inner.With(fields), slog: w.slog, corr: w.corr}
}
