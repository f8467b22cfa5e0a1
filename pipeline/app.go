package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"groupwatch/clock"
	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/handlers"
	"groupwatch/query"
	"groupwatch/sinks"
	"groupwatch/standin"
	"groupwatch/store"
	"groupwatch/streams"
)

// RunOptions are the command-line choices of `pipeline run`.
type RunOptions struct {
	// Drain exits (code 0) once every consumer group has caught up.
	Drain bool
	// Ingest is a JSON-lines file (or "-" for stdin) published to posts.raw at start.
	Ingest string
	// HTTPAddr serves /healthz, /readyz, /metrics and (with admin.token) the console when set.
	HTTPAddr string
	// Instance names this process's consumers; default hostname-pid.
	Instance string
	// Handlers, when not empty, are the only stages this process runs (crawl, normalize,
	// match, evaluate, notify): crawl on one box, notify on another. The scheduler runs
	// with crawl, the delivery retrier with notify.
	Handlers []string
	// Consumers overrides pipeline.consumers per stage.
	Consumers map[string]int

	// namedInstance says Instance was given (flag or GROUPWATCH_INSTANCE): a restarted
	// process of that name takes its predecessor's pending entries back at once.
	namedInstance bool
	// Stdout is where console sinks write. Default os.Stdout.
	Stdout io.Writer
	// OnHTTP, when set, is told the HTTP server's address once it listens (tests use :0).
	OnHTTP func(addr string)
	// Clock is the time of the store's rows, of delivery retries (when the next attempt is
	// due) and of the retrier's pause between looks. Default the wall clock; a test about a
	// long outage moves a clock.Fake instead of waiting.
	Clock clock.Clock
}

// ExitBadInput is the exit code of a run or ingest that finished but rejected some lines.
const ExitBadInput = 2

// NewRunApp is the composition root of `pipeline run`: reading it shows every part of the
// running system and what each needs.
func NewRunApp(cfg *config.Config, opts RunOptions, logger *slog.Logger) *fx.App {
	if err := applyStageOptions(cfg, opts); err != nil {
		return fx.New(fx.Error(err))
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Instance == "" {
		opts.Instance = os.Getenv("GROUPWATCH_INSTANCE")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	opts.namedInstance = opts.Instance != ""
	if opts.Instance == "" {
		opts.Instance = DefaultInstance()
	}
	modules := []fx.Option{
		fx.Supply(cfg, opts, logger),
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: logger.With("component", "fx")}
			l.UseLogLevel(slog.LevelDebug)
			// A failed start is reported once, by the command, with its root cause.
			l.UseErrorLevel(slog.LevelDebug)
			return l
		}),
		fx.StopTimeout(cfg.Pipeline.CloseTimeout + 15*time.Second),
		BackendsModule,
		StorageModule,
		RulesModule,
		fx.Module("router",
			fx.Provide(NewMetrics, providePublisher, newNotifySinks, newCrawlers, newRouterDeps, NewRouter),
			fx.Invoke(runRouter, runRetrier),
		),
	}
	if needsScheduler(cfg, opts) {
		// --drain is a batch run: no new crawl jobs or digests, or it would never drain.
		modules = append(modules, fx.Module("scheduler", fx.Invoke(runScheduler)))
	}
	if opts.HTTPAddr != "" {
		modules = append(modules, fx.Module("http", fx.Provide(newHTTPServer), fx.Invoke(serveHTTP)))
	}
	modules = append(modules, fx.Invoke(ingestAndDrain))
	return fx.New(modules...)
}

// needsScheduler says whether this process takes part in the leader election: for crawl
// jobs (with crawl), and for digests, the quiet-source watch and the daily ETL (with
// evaluate, which every rule needs).
func needsScheduler(cfg *config.Config, opts RunOptions) bool {
	if opts.Drain {
		return false
	}
	return (len(cfg.Sources) > 0 && runs(opts, config.StageCrawl)) || runs(opts, config.StageEvaluate)
}

// applyStageOptions checks --handlers and applies --consumers to the configuration.
func applyStageOptions(cfg *config.Config, opts RunOptions) error {
	known := map[string]bool{}
	for _, s := range config.Stages {
		known[s] = true
	}
	for _, h := range opts.Handlers {
		if !known[h] {
			return fmt.Errorf("--handlers: unknown stage %q (known: %s)", h, strings.Join(config.Stages, ", "))
		}
	}
	for stage, n := range opts.Consumers {
		if !known[stage] {
			return fmt.Errorf("--consumers: unknown stage %q (known: %s)", stage, strings.Join(config.Stages, ", "))
		}
		if n < 1 || n > 256 {
			return fmt.Errorf("--consumers %s=%d: must be between 1 and 256", stage, n)
		}
		cfg.Pipeline.Consumers[stage] = n
	}
	return nil
}

// runs says whether this process runs the stage.
func runs(opts RunOptions, stage string) bool {
	if len(opts.Handlers) == 0 {
		return true
	}
	for _, h := range opts.Handlers {
		if h == stage {
			return true
		}
	}
	return false
}

// DefaultInstance is hostname-pid: two processes on one host never share consumer names.
func DefaultInstance() string {
	host, err := os.Hostname()
	if err != nil {
		host = "host"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// Backends are the Redis URL and MySQL DSN in use: configured, or the in-process stand-ins.
type Backends struct {
	RedisURL string
	MySQLDSN string
	Embedded bool
}

// BackendsModule starts the stand-ins when neither Redis nor MySQL is configured.
var BackendsModule = fx.Module("backends", fx.Provide(newBackends))

func newBackends(lc fx.Lifecycle, cfg *config.Config, logger *slog.Logger) (Backends, error) {
	if !cfg.Embedded() {
		return Backends{RedisURL: cfg.Redis.URL, MySQLDSN: cfg.MySQL.DSN}, nil
	}
	servers, err := standin.Start()
	if err != nil {
		return Backends{}, err
	}
	lc.Append(fx.StopHook(servers.Close))
	logger.Warn("NO REDIS OR MYSQL CONFIGURED: running on in-process stand-ins; NOTHING PERSISTS after this process exits. " +
		"Set redis.url and mysql.dsn (or GROUPWATCH_REDIS_URL and GROUPWATCH_MYSQL_DSN) for real use.")
	return Backends{RedisURL: servers.RedisURL, MySQLDSN: servers.MySQLDSN, Embedded: true}, nil
}

// StorageModule connects Redis and MySQL and builds the store. On the stand-ins it applies the
// migrations itself and keeps to one MySQL connection, since go-mysql-server loses concurrent
// writes; a real database that lacks a migration is refused, naming `pipeline migrate`.
var StorageModule = fx.Module("storage", fx.Provide(newRedis, newDB, newStore))

func newRedis(lc fx.Lifecycle, b Backends, cfg *config.Config) (redis.UniversalClient, error) {
	// Each consumer holds a connection in its blocking read, and briefly one for its
	// XACKs and one for its claims; the rest serve the publisher and the handlers.
	total := 16
	for _, n := range cfg.Pipeline.Consumers {
		total += 3 * n
	}
	rdb, err := OpenRedis(context.Background(), b.RedisURL, total)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(rdb.Close))
	return rdb, nil
}

func newDB(lc fx.Lifecycle, b Backends, cfg *config.Config) (*sql.DB, error) {
	conns := cfg.MySQL.MaxConns
	if b.Embedded {
		conns = 1
	}
	db, err := store.Open(context.Background(), b.MySQLDSN, conns)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(db.Close))
	if b.Embedded {
		// The stand-in's database is born with the process: it migrates itself.
		if err := store.Migrate(context.Background(), db); err != nil {
			return nil, err
		}
	} else if err := (store.Migrator{DB: db}).Check(context.Background()); err != nil {
		// A real database is migrated by `pipeline migrate`, once, not by every replica.
		return nil, err
	}
	return db, nil
}

func newStore(lc fx.Lifecycle, db *sql.DB, cfg *config.Config, run RunOptions) *store.Store {
	// A send is one attempt, bounded by the message timeout: a claim outlives it.
	opts := store.Options{DeliveryLease: cfg.Pipeline.MessageTimeout + 30*time.Second}
	if run.Clock != nil { // nil in the apps that supply RunOptions without NewRunApp's defaults
		opts.Now = run.Clock.Now
	}
	s := store.New(db, opts)
	lc.Append(fx.StopHook(s.Close))
	return s
}

// Rules are the configured rules, synced into MySQL and compiled into one matcher.
type Rules struct {
	Matcher *query.Matcher
	IDs     map[string]int64
	Info    map[string]handlers.RuleInfo
}

// RulesModule syncs the rules into MySQL by name and compiles them.
var RulesModule = fx.Module("rules", fx.Provide(newRules))

func newRules(cfg *config.Config, s *store.Store) (Rules, error) {
	compiled := make([]query.Rule, 0, len(cfg.Rules))
	for i, r := range cfg.Rules {
		expr, err := query.Parse(r.Query)
		if err != nil {
			return Rules{}, fmt.Errorf("rules[%d].query: %w", i, err)
		}
		compiled = append(compiled, query.Rule{Name: r.Name, Expr: expr, Exact: r.ExactVariants()})
	}
	m, err := query.Compile(compiled)
	if err != nil {
		return Rules{}, fmt.Errorf("cannot compile rules: %w", err)
	}
	synced := cfg.Rules
	if len(cfg.Health.Sinks) > 0 {
		synced = append(append([]config.Rule(nil), cfg.Rules...), config.Rule{Name: config.HealthRuleName, Type: config.RuleHealth})
	}
	ids, err := s.SyncRules(context.Background(), synced)
	if err != nil {
		return Rules{}, err
	}
	info := map[string]handlers.RuleInfo{}
	for _, r := range cfg.Rules {
		info[r.Name] = ruleInfo(r, ids[r.Name])
	}
	return Rules{Matcher: m, IDs: ids, Info: info}, nil
}

func newNotifySinks(lc fx.Lifecycle, cfg *config.Config, opts RunOptions, logger *slog.Logger) (map[string]map[string]handlers.Sink, error) {
	templates, err := sinks.CompileTemplates(cfg.Rules)
	if err != nil {
		return nil, err
	}
	byKind := map[string]map[string]handlers.Sink{}
	for _, s := range cfg.Sinks {
		sink, err := NewSink(s, opts.Stdout, templates, logger)
		if err != nil {
			return nil, err
		}
		if c, ok := sink.(interface{ Close() error }); ok {
			lc.Append(fx.StopHook(c.Close))
		}
		if byKind[s.Type] == nil {
			byKind[s.Type] = map[string]handlers.Sink{}
		}
		byKind[s.Type][s.Name] = sink
	}
	return byKind, nil
}

// NewSink builds the configured sink; stdout is where a console sink writes, templates the
// rules' overrides (nil: none).
func NewSink(s config.Sink, stdout io.Writer, templates map[string]sinks.RuleTemplates, logger *slog.Logger) (handlers.Sink, error) {
	switch s.Type {
	case config.SinkFile:
		return sinks.NewFile(s.Name, s.Path), nil
	case config.SinkConsole:
		return sinks.NewConsole(s.Name, stdout), nil
	case config.SinkSlack:
		return sinks.NewSlack(s.Name, s.WebhookURL, sinks.SlackOptions{Templates: templates})
	case config.SinkEmail:
		return sinks.NewEmail(s, sinks.EmailOptions{Logger: logger.With("sink", s.Name), Templates: templates})
	}
	return nil, fmt.Errorf("sink %s: unknown type %q", s.Name, s.Type)
}

// newPublisher is the publisher of a command: pipelined XADDs that coalesce concurrent
// publishes (package streams), trimming every topic to topics.max_len. Close it when done;
// it leaves the Redis client open. A message published to a topic goes to the stream of its
// partition (partitionedPublisher); with redis.wait_replicas, each batch of publishes waits
// for the replicas to hold it.
func newPublisher(cfg *config.Config, rdb redis.UniversalClient, logger *slog.Logger) (message.Publisher, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := checkPartitions(ctx, rdb, TopicsOf(cfg)); err != nil {
		return nil, err
	}
	pub, err := streams.NewPublisher(streams.PublisherConfig{
		Client: rdb, DefaultMaxlen: cfg.Topics.MaxLen,
		WaitReplicas: cfg.Redis.WaitReplicas, WaitTimeout: cfg.Redis.WaitTimeout,
	}, newWatermillLogger(logger, &correlations{}))
	if err != nil {
		return nil, fmt.Errorf("cannot create publisher: %w", err)
	}
	return partitionedPublisher{Publisher: pub, topics: TopicsOf(cfg)}, nil
}

// providePublisher is the one publisher of `pipeline run`. Its stop hook runs after the
// router's (fx stops in reverse order), so every stage's last publish is sent.
func providePublisher(lc fx.Lifecycle, cfg *config.Config, rdb redis.UniversalClient, logger *slog.Logger) (message.Publisher, error) {
	pub, err := newPublisher(cfg, rdb, logger)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(pub.Close))
	return pub, nil
}

// newCrawlers prepares the crawl stage when sources are configured, and syncs them into the
// sources table. Its browser, if a source fetches with one, is killed on stop: the hook is
// appended before the router's, so it runs after the router has stopped crawling.
func newCrawlers(lc fx.Lifecycle, cfg *config.Config, s *store.Store, pub message.Publisher, rdb redis.UniversalClient, m *Metrics, logger *slog.Logger) (*Crawlers, error) {
	if len(cfg.Sources) == 0 {
		return nil, nil
	}
	if err := s.SyncSources(context.Background(), cfg.Sources); err != nil {
		return nil, err
	}
	c, err := NewCrawlers(cfg, s, pub, rdb, logger.With("component", "crawl"))
	if err != nil {
		return nil, err
	}
	c.OnFinished = func(src, verdict string) { m.CrawlRuns.WithLabelValues(src, verdict).Inc() }
	lc.Append(fx.Hook{OnStop: func(context.Context) error { return c.Close() }})
	return c, nil
}

// runScheduler runs the crawl scheduler and, beside it on a lease of their own, the
// leader's jobs (runLeaderJobs).
func runScheduler(lc fx.Lifecycle, cfg *config.Config, opts RunOptions, rdb redis.UniversalClient, pub message.Publisher, s *store.Store, rules Rules, m *Metrics, crawlers *Crawlers, logger *slog.Logger) {
	topic := TopicsOf(cfg).CrawlJobs()
	prefix := TopicsOf(cfg).Keys()
	var sources []config.Source
	if runs(opts, config.StageCrawl) {
		sources = cfg.Sources
		// This scheduler brings put-off jobs back: crawls may give their consumer back.
		crawlers.EnablePutOff(DefaultMaxPaceWait, func(src string) { m.CrawlJobsPutOff.WithLabelValues(src).Inc() })
	}
	sched := &crawl.Scheduler{
		Redis: rdb, Prefix: prefix, Instance: opts.Instance, Sources: sources,
		Logger: logger.With("component", "scheduler"),
		OnSkip: func(src, reason string, n int) { m.CrawlTicksSkipped.WithLabelValues(src, reason).Add(float64(n)) },
		Publish: func(_ context.Context, job crawl.Job) error {
			m, err := NewJobMessage(job)
			if err != nil {
				return err
			}
			return pub.Publish(topic, m)
		},
	}
	runInBackground(lc, "scheduler", logger, sched.Run)
	runLeaderJobs(lc, cfg, opts, rdb, pub, s, rules, m, prefix, logger)
}

func newRouterDeps(cfg *config.Config, opts RunOptions, logger *slog.Logger, rdb redis.UniversalClient, pub message.Publisher, m *Metrics,
	s *store.Store, rules Rules, notifySinks map[string]map[string]handlers.Sink, crawlers *Crawlers) RouterDeps {
	return RouterDeps{
		Config: cfg, Logger: logger, Redis: rdb, Publisher: pub, Metrics: m, Instance: opts.Instance, Crawlers: crawlers,
		Runs:        func(stage string) bool { return runs(opts, stage) },
		Normalize:   handlers.Normalize{Store: s},
		Match:       handlers.Match{Matcher: rules.Matcher, RuleIDs: rules.IDs, Store: s},
		Evaluate:    handlers.Evaluate{Rules: rules.Info, Store: s, Thresholds: s, Silences: s},
		Health:      handlers.Health{RuleID: rules.IDs[config.HealthRuleName], Sinks: cfg.Health.Sinks, Store: s},
		NotifySinks: notifySinks,
		Store:       s,
		Now:         opts.Clock.Now,
	}
}

// runRouter runs the router from start to stop with its own context; start returns once
// every handler has subscribed.
func runRouter(lc fx.Lifecycle, r *Router, sd fx.Shutdowner, opts RunOptions, rdb redis.UniversalClient, logger *slog.Logger) {
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if opts.namedInstance {
				n, err := recoverOwnPending(ctx, rdb, r.Subscriptions, opts.Instance)
				if err != nil {
					return err
				}
				if n > 0 {
					logger.Info("took back the pending entries of this instance's last run", "instance", opts.Instance, "entries", n)
				}
			}
			failed := make(chan error, 1)
			go func() {
				if err := r.Run(context.Background()); err != nil {
					logger.Error("router stopped", "error", err.Error())
					failed <- err
					_ = sd.Shutdown(fx.ExitCode(1))
				}
			}()
			select {
			case <-r.Running():
				logger.Info("pipeline running", "subscriptions", len(r.Subscriptions))
				return nil
			case err := <-failed:
				return err
			case <-ctx.Done():
				return fmt.Errorf("router did not start: %w", ctx.Err())
			}
		},
		OnStop: func(ctx context.Context) error {
			// Messages in flight get until the stop timeout to finish; any still running
			// then stay pending in Redis, unacked, for the next consumer.
			return r.Stop(ctx)
		},
	})
}

func newHTTPServer(cfg *config.Config, opts RunOptions, rdb redis.UniversalClient, db *sql.DB, r *Router, m *Metrics, pub message.Publisher, s *store.Store, logger *slog.Logger) (*HTTPServer, error) {
	var ingest http.Handler
	if cfg.API.Token != "" {
		ingest = &IngestAPI{
			Token: cfg.API.Token, MaxBodyBytes: cfg.API.MaxBodyBytes, Publisher: pub,
			Topic: TopicsOf(cfg).Raw(), Logger: logger.With("component", "ingest-api"), Now: time.Now,
		}
	} else {
		logger.Info("ingest API off: no api.token configured")
	}
	srv, err := NewHTTPServer(opts.HTTPAddr, rdb, db, r, m, ingest, logger)
	if err != nil {
		return nil, err
	}
	m.WatchState(cfg, rdb, s, logger)
	console, err := NewConsole(cfg, s, rdb, pub, logger)
	if err != nil {
		return nil, err
	}
	if console != nil {
		srv.Console(console)
	}
	return srv, nil
}

func serveHTTP(lc fx.Lifecycle, s *HTTPServer, opts RunOptions, logger *slog.Logger) {
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go s.Serve()
			logger.Info("http listening", "addr", s.Addr())
			if opts.OnHTTP != nil {
				opts.OnHTTP(s.Addr())
			}
			return nil
		},
		OnStop: s.Shutdown,
	})
}
