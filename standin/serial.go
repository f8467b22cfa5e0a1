//go:build !noembedded

package standin

import (
	"context"
	"strings"
	"sync"

	"github.com/dolthub/vitess/go/mysql"
	"github.com/dolthub/vitess/go/sqltypes"
	querypb "github.com/dolthub/vitess/go/vt/proto/query"
)

// serial runs the statements of every client connection one at a time, and a transaction's
// statements with no other connection's in between, as one session would: go-mysql-server's
// in-memory database loses writes when two connections write at once (each commits over the
// other's), so two pipeline processes sharing the stand-in would lose rows. A connection
// takes the turn for a statement and keeps it from START TRANSACTION (or BEGIN) to COMMIT or
// ROLLBACK; a connection that closes gives it back, so a client killed mid-transaction does
// not hold the others forever.
type serial struct {
	mysql.Handler

	mu    sync.Mutex
	freed *sync.Cond
	owner uint32 // connection holding the turn; 0: none
	inTx  map[uint32]bool
}

func serialise(h mysql.Handler) (mysql.Handler, error) {
	s := &serial{Handler: h, inTx: map[uint32]bool{}}
	s.freed = sync.NewCond(&s.mu)
	return s, nil
}

// take waits for the turn of connection id.
func (s *serial) take(id uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.owner != 0 && s.owner != id {
		s.freed.Wait()
	}
	s.owner = id
}

// done ends connection id's statement: the turn goes back unless a transaction is open.
// query is the statement's text, read for the transaction's start and end; failed says the
// statement failed, and a START TRANSACTION that failed opened nothing (while a COMMIT or
// ROLLBACK that failed ends the client's transaction all the same: it does not go on).
func (s *serial) done(id uint32, query string, failed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch txVerb(query) {
	case "begin":
		if !failed {
			s.inTx[id] = true
		}
	case "end":
		delete(s.inTx, id)
	}
	if !s.inTx[id] && s.owner == id {
		s.owner = 0
		s.freed.Broadcast()
	}
}

// release gives the turn back for good: the connection closed or was reset.
func (s *serial) release(id uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inTx, id)
	if s.owner == id {
		s.owner = 0
		s.freed.Broadcast()
	}
}

// txVerb says whether a statement opens ("begin") or closes ("end") a transaction.
func txVerb(query string) string {
	q := strings.ToUpper(strings.TrimSpace(query))
	switch {
	case strings.HasPrefix(q, "START TRANSACTION"), q == "BEGIN", strings.HasPrefix(q, "BEGIN "):
		return "begin"
	case strings.HasPrefix(q, "COMMIT"), strings.HasPrefix(q, "ROLLBACK") && !strings.Contains(q, " TO "):
		return "end"
	}
	return ""
}

func (s *serial) ComQuery(ctx context.Context, c *mysql.Conn, query string, callback mysql.ResultSpoolFn) (err error) {
	s.take(c.ConnectionID)
	defer func() { s.done(c.ConnectionID, query, err != nil) }()
	return s.Handler.ComQuery(ctx, c, query, callback)
}

// ComMultiQuery runs the first statement of query and returns the rest, which comes back
// here: each statement takes its own turn.
func (s *serial) ComMultiQuery(ctx context.Context, c *mysql.Conn, query string, callback mysql.ResultSpoolFn) (rest string, err error) {
	s.take(c.ConnectionID)
	defer func() { s.done(c.ConnectionID, strings.TrimSuffix(query, rest), err != nil) }()
	return s.Handler.ComMultiQuery(ctx, c, query, callback)
}

func (s *serial) ComPrepare(ctx context.Context, c *mysql.Conn, query string, prepare *mysql.PrepareData) ([]*querypb.Field, error) {
	s.take(c.ConnectionID)
	defer s.done(c.ConnectionID, "", false) // preparing opens or ends nothing
	return s.Handler.ComPrepare(ctx, c, query, prepare)
}

func (s *serial) ComStmtExecute(ctx context.Context, c *mysql.Conn, prepare *mysql.PrepareData, callback func(*sqltypes.Result) error) (err error) {
	s.take(c.ConnectionID)
	defer func() { s.done(c.ConnectionID, prepare.PrepareStmt, err != nil) }()
	return s.Handler.ComStmtExecute(ctx, c, prepare, callback)
}

func (s *serial) ComResetConnection(c *mysql.Conn) error {
	defer s.release(c.ConnectionID)
	return s.Handler.ComResetConnection(c)
}

func (s *serial) ConnectionClosed(c *mysql.Conn) {
	s.release(c.ConnectionID)
	s.Handler.ConnectionClosed(c)
}
