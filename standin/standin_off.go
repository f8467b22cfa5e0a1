//go:build noembedded

// Package standin would run in-process stand-ins for Redis and MySQL; this binary was built
// with -tags noembedded and has none.
package standin

import (
	"context"
	"errors"
)

// Available says whether this binary was built with the stand-ins.
const Available = false

// Servers are running stand-ins.
type Servers struct {
	RedisURL string
	MySQLDSN string
}

// Database is the name of the stand-in MySQL database.
const Database = "groupwatch"

// Start fails: this binary was built without the stand-ins.
func Start() (*Servers, error) {
	return nil, errors.New("this binary was built with -tags noembedded: configure redis.url and mysql.dsn")
}

// Close does nothing.
func (s *Servers) Close(context.Context) error { return nil }
