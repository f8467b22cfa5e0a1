package pipeline

import (
	"database/sql"
	"errors"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"groupwatch/config"
	"groupwatch/store"
)

// ConsoleOptions are the command-line choices of `pipeline console`.
type ConsoleOptions struct {
	// HTTPAddr is where the console (and /healthz, /readyz, /metrics) listens.
	HTTPAddr string
	// OnHTTP, when set, is told the address once the server listens (tests use :0).
	OnHTTP func(addr string)
}

// ErrNoAdminToken says the console cannot start: it would let anyone in.
var ErrNoAdminToken = errors.New("the console needs admin.token (or " + config.EnvAdminToken + "): every page is behind it")

// NewConsoleApp is the composition root of `pipeline console`: the console over the
// configured Redis and MySQL, without any stage, scheduler or retrier. Actions that need a
// stage (resend, requeue, crawl now) are carried out by the `pipeline run` processes.
func NewConsoleApp(cfg *config.Config, opts ConsoleOptions, logger *slog.Logger) *fx.App {
	if cfg.Admin.Token == "" {
		return fx.New(fx.Error(ErrNoAdminToken))
	}
	if cfg.Embedded() {
		return fx.New(fx.Error(errors.New("pipeline console reads the configured Redis and MySQL: set redis.url and mysql.dsn " +
			"(or " + config.EnvRedisURL + " and " + config.EnvMySQLDSN + "); on the in-process stand-ins use pipeline run --http")))
	}
	runOpts := RunOptions{HTTPAddr: opts.HTTPAddr, OnHTTP: opts.OnHTTP}
	return fx.New(
		fx.Supply(cfg, runOpts, logger),
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: logger.With("component", "fx")}
			l.UseLogLevel(slog.LevelDebug)
			l.UseErrorLevel(slog.LevelDebug)
			return l
		}),
		BackendsModule,
		StorageModule,
		fx.Module("console",
			fx.Provide(NewMetrics, newPublisher, newConsoleServer),
			fx.Invoke(serveHTTP),
		),
	)
}

func newConsoleServer(cfg *config.Config, opts RunOptions, rdb redis.UniversalClient, db *sql.DB, s *store.Store, pub message.Publisher, m *Metrics, logger *slog.Logger) (*HTTPServer, error) {
	srv, err := NewHTTPServer(opts.HTTPAddr, rdb, db, nil, m, nil, logger)
	if err != nil {
		return nil, err
	}
	console, err := NewConsole(cfg, s, rdb, pub, logger)
	if err != nil {
		return nil, err
	}
	m.WatchState(cfg, rdb, s, logger)
	srv.Console(console)
	return srv, nil
}
