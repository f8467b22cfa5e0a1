package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Open connects to MySQL with the settings the queries rely on (parseTime, UTC) and checks
// that the server answers. The DSN never appears in an error: it may hold a password.
//
// Arguments are interpolated into each statement by the driver (interpolateParams) unless the
// DSN says otherwise: a statement is then one round trip instead of three (prepare, execute,
// close) and the server parses it once. An alert's delivery takes about ten statements, each
// of which cost some 130 µs of the pipeline's CPU in syscalls alone (issue 12). The driver
// escapes for the connection's character set, and falls back to a prepared statement for the
// character sets where that is unsafe (Big5, GBK, …).
func Open(ctx context.Context, dsn string, maxConns int) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("cannot parse MySQL DSN: %w", redactDSNError(err))
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if !strings.Contains(dsn, "interpolateParams=") {
		cfg.InterpolateParams = true
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot configure MySQL connector: %w", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach MySQL at %s: %w", cfg.Addr, err)
	}
	return db, nil
}

// redactDSNError keeps the driver's reason but not the DSN text it may quote.
func redactDSNError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, ":"); i > 0 {
		msg = msg[:i]
	}
	return fmt.Errorf("%s", msg)
}

// Statements splits a schema (schema.sql) into statements: comment lines are dropped and a statement ends
// with a semicolon at the end of a line.
func Statements(schema string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(schema, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// RouteDriverLogs sends go-sql-driver's own messages (which it prints to stderr by default,
// in its own format) through logger. The driver's logger is process-wide: call it once, from
// the composition root.
func RouteDriverLogs(logger *slog.Logger) {
	if err := mysql.SetLogger(driverLogger{logger.With("component", "mysql-driver")}); err != nil {
		logger.Warn("the MySQL driver keeps logging to stderr", "error", err.Error())
	}
}

type driverLogger struct{ l *slog.Logger }

func (d driverLogger) Print(v ...any) { d.l.Warn(strings.TrimSpace(fmt.Sprint(v...))) }
