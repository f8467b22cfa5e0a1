package store

import (
	"context"
	"database/sql"
	"errors"

	"groupwatch/queries"
)

// GetPostParamsFor builds the generated query's parameters, for tests.
func GetPostParamsFor(source, externalID string) queries.GetPostParams {
	return queries.GetPostParams{Source: source, ExternalID: externalID}
}

// FailTxWritesAfter makes every later transaction of s fail its write after the first n
// (n < 0: no failure again), as a database that drops mid-transaction would.
func FailTxWritesAfter(s *Store, n int) {
	if n < 0 {
		s.txFault = nil
		return
	}
	s.txFault = func(db queries.DBTX) queries.DBTX { return &failingWrites{DBTX: db, left: n} }
}

type failingWrites struct {
	queries.DBTX
	left int
}

func (f *failingWrites) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if f.left == 0 {
		return nil, errors.New("connection lost (injected by the test)")
	}
	f.left--
	return f.DBTX.ExecContext(ctx, query, args...)
}

// ReadIDsBack makes s read new posts' ids back after writing them, as it does on a server
// that numbers the rows of one statement apart. Call it before the first SavePost.
func ReadIDsBack(s *Store) { s.posts.readBackIDs = true }

// IDStep is what s found the server adds from one new post's id to the next in one INSERT:
// 0 not asked yet, -1 not consecutive (ids read back).
func IDStep(s *Store) int64 { return s.posts.idStep.Load() }
