package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// migrationFiles are the versioned SQL migrations, embedded so the binary carries them.
// schema.sql is what they add up to (TestMigrationsMatchSchema holds them equal).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// VersionTable is where goose records the versions a database has.
const VersionTable = "goose_db_version"

// ErrSchemaBehind says the database lacks migrations this binary needs.
var ErrSchemaBehind = errors.New("the database schema is older than this binary needs")

// Migrator brings a database to the newest schema, with goose over the embedded migrations.
type Migrator struct {
	DB     *sql.DB
	Logger *slog.Logger
	// LockWait is how long Up waits for another process's migration to finish (GET_LOCK).
	// Default 10 minutes.
	LockWait time.Duration
}

// Migration is one version and whether the database has it.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// goMigrations are the steps that SQL alone cannot say.
func goMigrations() []*goose.Migration {
	return []*goose.Migration{
		// Version 2: store/upgrade.go's post id upgrade, which runs only on a database made
		// before post ids were VARBINARY; on every other database it changes nothing.
		goose.NewGoMigration(2, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return upgradeColumns(ctx, tx)
		}}, nil),
	}
}

// goMigrationNames name the Go migrations in `pipeline migrate status`.
var goMigrationNames = map[int64]string{2: "post_ids_bytewise (Go: store/upgrade.go)"}

func (m Migrator) provider(locked bool) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	logger := m.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(goMigrations()...),
		goose.WithSlog(logger.With("component", "migrate")),
	}
	if locked {
		wait := m.LockWait
		if wait <= 0 {
			wait = 10 * time.Minute
		}
		opts = append(opts, goose.WithSessionLocker(advisoryLock{wait: wait}))
	}
	return goose.NewProvider(goose.DialectMySQL, m.DB, sub, opts...)
}

// Up applies every migration the database lacks, under a MySQL advisory lock so replicas
// starting together run them once, one after the other. A database made before migrations
// were versioned (tables but no version table) is adopted: version 1 creates only tables
// it lacks, so no row is touched. It returns the versions it applied.
func (m Migrator) Up(ctx context.Context) ([]Migration, error) {
	p, err := m.provider(true)
	if err != nil {
		return nil, fmt.Errorf("cannot read the migrations: %w", err)
	}
	if legacy, err := m.madeBeforeVersions(ctx); err != nil {
		return nil, err
	} else if legacy && m.Logger != nil {
		m.Logger.Info("adopting a database made before versioned migrations as version 1; its rows stay as they are")
	}
	results, err := p.Up(ctx)
	var out []Migration
	for _, r := range results {
		out = append(out, Migration{Version: r.Source.Version, Name: migrationName(r.Source), Applied: true})
	}
	if err != nil {
		return out, fmt.Errorf("cannot migrate the database: %w", err)
	}
	return out, nil
}

// UpTo applies the migrations up to version only, under the lock (benchmarks measure the
// schema before and after a version).
func (m Migrator) UpTo(ctx context.Context, version int64) error {
	p, err := m.provider(true)
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// DownTo rolls the migrations above version back (each has a Down section; version 1 has
// none), under the lock. Only benchmarks and tests use it.
func (m Migrator) DownTo(ctx context.Context, version int64) error {
	p, err := m.provider(true)
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// Status lists every migration this binary has and whether the database has it. It only
// reads: a database without the version table lists every version as pending.
func (m Migrator) Status(ctx context.Context) ([]Migration, error) {
	p, err := m.provider(false)
	if err != nil {
		return nil, fmt.Errorf("cannot read the migrations: %w", err)
	}
	applied, err := m.applied(ctx)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, s := range p.ListSources() {
		mig := Migration{Version: s.Version, Name: migrationName(s)}
		if at, ok := applied[s.Version]; ok {
			mig.Applied, mig.AppliedAt = true, at
		}
		out = append(out, mig)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Check says whether the database has every migration this binary needs; an error wraps
// ErrSchemaBehind and names `pipeline migrate`. It only reads.
func (m Migrator) Check(ctx context.Context) error {
	all, err := m.Status(ctx)
	if err != nil {
		return err
	}
	var pending []string
	for _, mig := range all {
		if !mig.Applied {
			pending = append(pending, fmt.Sprint(mig.Version))
		}
	}
	if len(pending) == 0 {
		return nil
	}
	legacy, err := m.madeBeforeVersions(ctx)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("it lacks migration(s) %s", strings.Join(pending, ", "))
	if legacy {
		what = "it was made before migrations were versioned"
	}
	return fmt.Errorf("%w: %s; run `pipeline migrate` first", ErrSchemaBehind, what)
}

// Pending counts the migrations of all that the database lacks.
func Pending(all []Migration) int {
	n := 0
	for _, m := range all {
		if !m.Applied {
			n++
		}
	}
	return n
}

// applied reads the version table: the time each applied version was applied.
func (m Migrator) applied(ctx context.Context) (map[int64]time.Time, error) {
	exists, err := tableExists(ctx, m.DB, VersionTable)
	if err != nil || !exists {
		return nil, err
	}
	store, err := database.NewStore(goose.DialectMySQL, VersionTable)
	if err != nil {
		return nil, err
	}
	rows, err := store.ListMigrations(ctx, m.DB)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", VersionTable, err)
	}
	out := map[int64]time.Time{}
	// Newest row first: a version's latest row says whether it is applied now.
	seen := map[int64]bool{}
	for _, r := range rows {
		if seen[r.Version] {
			continue
		}
		seen[r.Version] = true
		if r.IsApplied && r.Version > 0 {
			res, err := store.GetMigration(ctx, m.DB, r.Version)
			if err != nil {
				return nil, fmt.Errorf("cannot read version %d in %s: %w", r.Version, VersionTable, err)
			}
			out[r.Version] = res.Timestamp
		}
	}
	return out, nil
}

// madeBeforeVersions says whether the database has the tables but no version table: made by
// `pipeline migrate` before migrations were versioned.
func (m Migrator) madeBeforeVersions(ctx context.Context) (bool, error) {
	versions, err := tableExists(ctx, m.DB, VersionTable)
	if err != nil || versions {
		return false, err
	}
	return tableExists(ctx, m.DB, "posts")
}

func tableExists(ctx context.Context, db *sql.DB, table string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", table).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("cannot look for table %s: %w", table, err)
	}
	return n > 0, nil
}

func migrationName(s *goose.Source) string {
	if s.Path == "" {
		if name, ok := goMigrationNames[s.Version]; ok {
			return name
		}
		return "(Go)"
	}
	name := strings.TrimSuffix(path.Base(s.Path), ".sql")
	if i := strings.IndexByte(name, '_'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// Migrate brings db to the newest schema: Migrator.Up, for callers with nothing to report.
func Migrate(ctx context.Context, db *sql.DB) error {
	_, err := Migrator{DB: db}.Up(ctx)
	return err
}
