//go:build !noembedded

// Package standin runs in-process stand-ins for Redis (miniredis) and MySQL (go-mysql-server),
// for a single process on the embedded default and for tests on a machine with only Go.
// Nothing they hold outlives the process. Build with -tags noembedded to leave them out of
// the binary (about 60 MB and 350 modules lighter).
package standin

import (
	"context"
	"fmt"
	"net"

	"github.com/alicebob/miniredis/v2"
	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/sirupsen/logrus"
)

// Available says whether this binary was built with the stand-ins.
const Available = true

// Servers are running stand-ins.
type Servers struct {
	// RedisURL and MySQLDSN point at the stand-ins.
	RedisURL string
	MySQLDSN string

	redis *miniredis.Miniredis
	mysql *server.Server
}

// Database is the name of the stand-in MySQL database.
const Database = "groupwatch"

// Start starts both stand-ins on loopback ports chosen by the system.
func Start() (*Servers, error) {
	// go-mysql-server logs through logrus's global logger, in its own format, at info: keep
	// only its errors so the pipeline's own logs stay readable.
	logrus.SetLevel(logrus.ErrorLevel)
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		return nil, fmt.Errorf("cannot start in-process Redis: %w", err)
	}
	db := memory.NewDatabase(Database)
	db.BaseDatabase.EnablePrimaryKeyIndexes()
	provider := memory.NewDBProvider(db)
	engine := sqle.NewDefault(provider)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		mr.Close()
		return nil, fmt.Errorf("cannot listen for in-process MySQL: %w", err)
	}
	// Every client's statements run one at a time (serial.go): the in-memory database loses
	// writes made by two connections at once, and two processes sharing it need one each.
	srv, err := server.NewServerWithHandler(server.Config{Protocol: "tcp", Address: ln.Addr().String(), Listener: ln},
		engine, sql.NewContext, memory.NewSessionBuilder(provider), nil, serialise)
	if err != nil {
		ln.Close()
		mr.Close()
		return nil, fmt.Errorf("cannot start in-process MySQL: %w", err)
	}
	go func() {
		// Start serves until Close and returns nil whatever happens (go-mysql-server's Start
		// has no error path): there is nothing to keep. A server that cannot accept shows as
		// refused connections, which the clients report.
		_ = srv.Start()
	}()
	return &Servers{
		RedisURL: "redis://" + mr.Addr(),
		MySQLDSN: fmt.Sprintf("root@tcp(%s)/%s", ln.Addr(), Database),
		redis:    mr,
		mysql:    srv,
	}, nil
}

// Close stops both stand-ins; everything they held is gone.
func (s *Servers) Close(context.Context) error {
	s.redis.Close()
	return s.mysql.Close()
}
