package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// advisoryLock is goose's session lock for MySQL: GET_LOCK on the connection that runs the
// migrations, named after the database, so two `pipeline migrate` (or replicas starting
// together) against one database take turns and the second finds nothing left to do.
// A lock held by a session that dies is released by the server with the session.
type advisoryLock struct {
	wait time.Duration
}

// lockName is per database: migrations of two databases on one server do not wait on each
// other. MySQL 8 limits names to 64 characters; DATABASE() is at most 64 too, so hash it.
const lockNameSQL = "CONCAT('gw.migrate.', LEFT(SHA2(DATABASE(), 256), 32))"

func (l advisoryLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	var got sql.NullInt64
	secs := int64(l.wait / time.Second)
	if secs < 1 {
		secs = 1
	}
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lockNameSQL+", ?)", secs).Scan(&got); err != nil {
		return fmt.Errorf("cannot take the migration lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("cannot take the migration lock: another migration of this database has held it for %s", l.wait)
	}
	return nil
}

func (l advisoryLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var released sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK("+lockNameSQL+")").Scan(&released); err != nil {
		return fmt.Errorf("cannot release the migration lock: %w", err)
	}
	return nil
}
