// Package testenv gives tests a Redis and a MySQL database of their own: the real servers
// named by GROUPWATCH_TEST_REDIS_URL and GROUPWATCH_TEST_MYSQL_DSN when set (CI always), the
// in-process stand-ins otherwise, so `go test ./...` passes with only Go installed.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"groupwatch/standin"
	"groupwatch/store"
)

// Environment variables naming the real servers.
const (
	EnvRedisURL = "GROUPWATCH_TEST_REDIS_URL"
	EnvMySQLDSN = "GROUPWATCH_TEST_MYSQL_DSN"
)

// Env is one test's Redis and MySQL.
type Env struct {
	// RedisURL and MySQLDSN point at this test's Redis and migrated database.
	RedisURL string
	MySQLDSN string
	// Prefix is a topic prefix of this test's own, on a shared real Redis.
	Prefix string
	// Real says these are real servers, not stand-ins.
	Real bool
	// Embedded says MySQL is go-mysql-server: use one connection.
	Embedded bool
}

// New returns a fresh environment, cleaned up when the test ends.
func New(tb testing.TB) Env {
	tb.Helper()
	return newEnv(tb, true)
}

// Empty is New with a database that has no table at all: not migrated.
func Empty(tb testing.TB) Env {
	tb.Helper()
	return newEnv(tb, false)
}

func newEnv(tb testing.TB, migrated bool) Env {
	tb.Helper()
	redisURL, dsn := os.Getenv(EnvRedisURL), os.Getenv(EnvMySQLDSN)
	if (redisURL == "") != (dsn == "") {
		tb.Fatalf("set both %s and %s, or neither", EnvRedisURL, EnvMySQLDSN)
	}
	id := randomID()
	if redisURL == "" {
		return standinEnv(tb, migrated)
	}
	env := Env{RedisURL: redisURL, Prefix: "t" + id, Real: true}
	env.MySQLDSN = createDatabase(tb, dsn, "gw_test_"+id)
	if migrated {
		migrate(tb, env.MySQLDSN)
	}
	tb.Cleanup(func() { deleteKeys(env.RedisURL, env.Prefix) })
	return env
}

// Standin returns a fresh environment on the in-process stand-ins whatever the environment
// variables say: a store contract runs on both databases in one CI run.
func Standin(tb testing.TB) Env {
	tb.Helper()
	return standinEnv(tb, true)
}

// StandinEmpty is Standin with a database that has no table at all: not migrated.
func StandinEmpty(tb testing.TB) Env {
	tb.Helper()
	return standinEnv(tb, false)
}

func standinEnv(tb testing.TB, migrated bool) Env {
	tb.Helper()
	if !standin.Available {
		tb.Skipf("built without stand-ins and %s is not set", EnvRedisURL)
	}
	servers, err := standin.Start()
	if err != nil {
		tb.Fatalf("cannot start stand-ins: %v", err)
	}
	tb.Cleanup(func() {
		if err := servers.Close(context.Background()); err != nil {
			tb.Logf("stopping the stand-ins: %v", err)
		}
	})
	// The stand-in runs one statement (or transaction) at a time whatever the connections
	// (standin/serial.go): a pipeline a test points at it keeps to one, as more only wait.
	if s, ok := tb.(interface{ Setenv(string, string) }); ok {
		s.Setenv("GROUPWATCH_MYSQL_MAX_CONNS", "1")
	}
	env := Env{RedisURL: servers.RedisURL, MySQLDSN: servers.MySQLDSN, Prefix: "t" + randomID(), Embedded: true}
	if migrated {
		migrate(tb, env.MySQLDSN)
	}
	return env
}

// Databases returns the environments a store contract runs over: the stand-in always, and
// real MySQL as well when GROUPWATCH_TEST_MYSQL_DSN names one. Each is started when asked.
func Databases() map[string]func(testing.TB) Env {
	out := map[string]func(testing.TB) Env{"standin": Standin}
	if os.Getenv(EnvMySQLDSN) != "" {
		out["mysql"] = New
	}
	return out
}

// EmptyDatabases is Databases with databases that have no table at all: not migrated.
func EmptyDatabases() map[string]func(testing.TB) Env {
	out := map[string]func(testing.TB) Env{"standin": StandinEmpty}
	if os.Getenv(EnvMySQLDSN) != "" {
		out["mysql"] = Empty
	}
	return out
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// createDatabase makes a database of the test's own on the server of dsn and drops it after.
func createDatabase(tb testing.TB, dsn, name string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", EnvMySQLDSN, err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		tb.Fatalf("cannot create test database: %v", err)
	}
	tb.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name)
		admin.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

func migrate(tb testing.TB, dsn string) {
	tb.Helper()
	db, err := store.Open(context.Background(), dsn, 1)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := store.Migrate(context.Background(), db); err != nil {
		tb.Fatal(err)
	}
}

// deleteKeys removes the test's streams from a shared Redis.
func deleteKeys(url, prefix string) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+".*", 1000).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
}

// DB opens the test's database (one connection on the stand-in).
func (e Env) DB(tb testing.TB) *sql.DB {
	tb.Helper()
	conns := 16
	if e.Embedded {
		conns = 1
	}
	db, err := store.Open(context.Background(), e.MySQLDSN, conns)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Redis opens a client of the test's Redis.
func (e Env) Redis(tb testing.TB) *redis.Client {
	tb.Helper()
	opts, err := redis.ParseURL(e.RedisURL)
	if err != nil {
		tb.Fatal(err)
	}
	opts.PoolSize = 64
	c := redis.NewClient(opts)
	tb.Cleanup(func() { c.Close() })
	return c
}

// Topic returns name under the test's prefix.
func (e Env) Topic(name string) string { return e.Prefix + "." + strings.TrimPrefix(name, ".") }

// String describes the environment for test logs, without credentials.
func (e Env) String() string {
	if e.Real {
		return fmt.Sprintf("real Redis and MySQL, prefix %s", e.Prefix)
	}
	return "in-process stand-ins"
}
