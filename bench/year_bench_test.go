package bench

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"groupwatch/internal/testenv"
	"groupwatch/queries"
	"groupwatch/store"
)

var (
	yearPostsFlag  = flag.Int("year-posts", 0, "posts in BenchmarkYearOfData's year, 10000000 for the issue's (default $GROUPWATCH_BENCH_YEAR_POSTS; unset: skipped)")
	yearRefillFlag = flag.Bool("year-refill", false, "BenchmarkYearOfData: fill its database again even when a finished fill is there")
)

const envYearPosts = "GROUPWATCH_BENCH_YEAR_POSTS"

// yearEnd is the simulated year's last moment: fixed, so a kept database stays valid.
var yearEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// BenchmarkYearOfData fills real MariaDB (or MySQL) with a simulated year (-year-posts, 10 M by
// default; see yearfill_test.go for the proportions), then times every query the product
// runs on it and EXPLAINs each, twice: on the schema as released before this benchmark
// (migration 2) and after the later migrations. A full scan of posts, matches or alerts
// after the migrations is an error. It prints a table for docs/benchmarks.md.
//
// The database gw_year_<posts> is kept between runs (a 10 M fill takes long); drop it when
// done. It runs only when asked for a size:
// go test ./bench -run '^$' -bench YearOfData -benchtime 1x -timeout 3h -args -year-posts 1000000
func BenchmarkYearOfData(b *testing.B) {
	skipUnlessReal(b)
	if *yearPostsFlag == 0 && os.Getenv(envYearPosts) == "" {
		// Not part of `-bench .`: it fills (and keeps) a database of millions of rows.
		b.Skipf("opt in with -year-posts N (10000000 for the issue's year) or %s", envYearPosts)
	}
	n := intKnob(b, *yearPostsFlag, envYearPosts, 10_000_000)
	y := year{n: n, start: yearEnd.AddDate(-1, 0, 0), end: yearEnd}
	ctx := context.Background()
	name := fmt.Sprintf("gw_year_%d", n)
	db := yearDatabase(b, name, false)
	m := store.Migrator{DB: db}
	var filled int
	_ = db.QueryRow("SELECT n FROM gw_bench_filled").Scan(&filled)
	if filled != n || *yearRefillFlag {
		db = yearDatabase(b, name, true)
		m = store.Migrator{DB: db}
		if err := m.UpTo(ctx, 2); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		fillYear(b, db, y)
		b.Logf("filled the year in %s", time.Since(start).Round(time.Second))
		for _, stmt := range []string{"CREATE TABLE gw_bench_filled (n BIGINT NOT NULL)", fmt.Sprintf("INSERT INTO gw_bench_filled VALUES (%d)", n), "ANALYZE TABLE posts, matches, alerts, deliveries, rule_events, crawl_runs, keyword_daily"} {
			if _, err := db.Exec(stmt); err != nil {
				b.Fatal(err)
			}
		}
	} else if err := m.DownTo(ctx, 2); err != nil {
		b.Fatal(err)
	}

	before := runYearQueries(b, db, y, 2)
	start := time.Now()
	applied, err := m.Up(ctx)
	if err != nil || len(applied) == 0 {
		b.Fatalf("migrations after version 2: %v %v", applied, err)
	}
	if _, err := db.Exec("ANALYZE TABLE posts, matches, alerts, deliveries, rule_events, crawl_runs, keyword_daily"); err != nil {
		b.Fatal(err)
	}
	b.Logf("migrations %v took %s on %d posts", versions(applied), time.Since(start).Round(time.Second), n)
	after := runYearQueries(b, db, y, applied[len(applied)-1].Version)
	printYear(b, n, before, after)
	for _, r := range after {
		if len(r.scans) > 0 {
			b.Errorf("%s scans %s", r.name, strings.Join(r.scans, ", "))
		}
	}
	normalizeRatio(b, db, y)
}

func versions(ms []store.Migration) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.Version)
	}
	return out
}

// yearDatabase opens the database name on the test server, made anew when fresh, else
// created only if missing.
func yearDatabase(b *testing.B, name string, fresh bool) *sql.DB {
	b.Helper()
	cfg, err := mysql.ParseDSN(os.Getenv(testenv.EnvMySQLDSN))
	if err != nil {
		b.Fatal(err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if fresh {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := admin.Exec("CREATE DATABASE IF NOT EXISTS " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		b.Fatal(err)
	}
	cfg.DBName = name
	db, err := store.Open(context.Background(), cfg.FormatDSN(), 4)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// yearResult is one query's timings and plan.
type yearResult struct {
	name, what string
	p50, p99   time.Duration
	runs       int
	plan       string
	scans      []string
	skipped    bool // a query of a later migration than the database has
}

// yearQuery is a product query with arguments drawn at random from the year.
type yearQuery struct {
	name string // the sqlc name, or a label for a composite step
	what string // the command or stage that runs it
	args func(r *rand.Rand) []any
	// write queries run in a transaction that is rolled back.
	write bool
	// run replaces a single statement (the daily ETL is many); no EXPLAIN then.
	run func(r *rand.Rand) error
	// since is the migration a new query comes with (its index): not run before it.
	since int64
}

func yearQueries(db *sql.DB, y year) []yearQuery {
	day := func(r *rand.Rand) time.Time {
		return y.start.Truncate(24*time.Hour).AddDate(0, 0, 1+r.IntN(360))
	}
	at := func(r *rand.Rand) time.Time { return y.postAt(1 + r.IntN(y.n)) }
	post := func(r *rand.Rand) int { return 1 + r.IntN(y.n) }
	alerts := int64(y.matches() * yearInstantRules / yearRules)
	alert := func(r *rand.Rand) int64 { return 1 + r.Int64N(max(alerts, 1)) }
	threshold := func(r *rand.Rand) int64 { return int64(yearInstantRules + 1 + r.IntN(yearRules-yearInstantRules)) }
	rule := func(r *rand.Rand) int64 { return int64(1 + r.IntN(yearRules)) }
	since30 := y.end.AddDate(0, 0, -30)
	posts180, runs90, alerts180 := y.end.AddDate(0, 0, -180), y.end.AddDate(0, 0, -90), y.end.AddDate(0, 0, -180)
	var boundary, first30, lastPost, lastMatch, lastAlert int64
	window := y.end.Add(-3 * time.Hour) // the console overview's chart
	var s *store.Store
	if db != nil { // nil: TestBindQueries checks only the arguments
		_ = db.QueryRow("SELECT id FROM posts WHERE first_seen_at < ? ORDER BY id DESC LIMIT 1", window).Scan(&lastPost)
		_ = db.QueryRow("SELECT id FROM matches WHERE created_at < ? ORDER BY id DESC LIMIT 1", window).Scan(&lastMatch)
		_ = db.QueryRow("SELECT id FROM alerts WHERE created_at < ? ORDER BY id DESC LIMIT 1", window).Scan(&lastAlert)
		_ = db.QueryRow("SELECT id FROM posts WHERE first_seen_at < ? ORDER BY first_seen_at DESC, id DESC LIMIT 1", posts180).Scan(&boundary)
		_ = db.QueryRow("SELECT MIN(id) FROM posts WHERE first_seen_at >= ?", since30).Scan(&first30)
		s = store.New(db, store.Options{Writers: 1})
	}
	return []yearQuery{
		{name: "PostsByExternalIDs", what: "normalize: what a batch of 500 already holds", args: func(r *rand.Rand) []any {
			src := r.IntN(yearSources)
			first := src + yearSources*r.IntN(max(y.n/yearSources-600, 1))
			ids := make([]any, 500)
			for k := range ids {
				ids[k] = y.postExternalID(first + k*yearSources)
			}
			return []any{y.postSource(src), ids}
		}},
		{name: "GetPost", what: "normalize, crawl: one post", args: func(r *rand.Rand) []any {
			i := post(r)
			return []any{y.postSource(i), y.postExternalID(i)}
		}},
		{name: "RuleEventTimes", what: "evaluate: threshold window (1h)", args: func(r *rand.Rand) []any {
			t := at(r)
			return []any{threshold(r), "*", t.Add(-time.Hour), t}
		}},
		{name: "ActiveSilence", what: "evaluate: silences", args: func(r *rand.Rand) []any {
			return []any{fmt.Sprintf("rule-%02d", rule(r)), at(r), "group-01"}
		}},
		{name: "GetAlertByDedupKey", what: "evaluate: alert stored?", args: func(r *rand.Rand) []any {
			return []any{fmt.Sprintf("%064x", post(r))}
		}},
		{name: "MatchesOfRuleBetween", what: "digest: a day of a rule", args: func(r *rand.Rand) []any {
			d := day(r)
			return []any{rule(r), d, d.AddDate(0, 0, 1)}
		}},
		{name: "MatchKeysOfRuleBetween", what: "daily ETL: a day of a rule", args: func(r *rand.Rand) []any {
			d := day(r)
			return []any{rule(r), d, d.AddDate(0, 0, 1)}
		}},
		{name: "ETL one day (20 rules)", what: "daily ETL: store.ComputeDay for every rule", run: func(r *rand.Rand) error {
			d := day(r)
			for id := int64(1); id <= yearRules; id++ {
				if err := s.ComputeDay(context.Background(), id, d); err != nil {
					return err
				}
			}
			return nil
		}},
		{name: "DailyCounts", what: "evaluate: a baseline's 28 days", args: func(r *rand.Rand) []any {
			d := day(r)
			return []any{threshold(r), "rule", "*", d.AddDate(0, 0, -28), d}
		}},
		{name: "ListAlerts", what: "alerts list", args: func(r *rand.Rand) []any { return []any{50} }},
		{name: "ListAlertsByDeliveryStatus", what: "alerts list --status dead", args: func(r *rand.Rand) []any { return []any{"dead", 50} }},
		{name: "ListAlertsByDeliveryStatus", what: "alerts list --status failed", args: func(r *rand.Rand) []any { return []any{"failed", 50} }},
		{name: "ListAlertsByDeliveryStatus", what: "alerts list --status sent", args: func(r *rand.Rand) []any { return []any{"sent", 50} }},
		{name: "GetAlertDetail", what: "alerts show", args: func(r *rand.Rand) []any { return []any{alert(r)} }},
		{name: "ListDeliveriesOfAlert", what: "alerts show", args: func(r *rand.Rand) []any { return []any{alert(r)} }},
		{name: "CountDeliveriesByStatus", what: "status", args: func(r *rand.Rand) []any { return nil }},
		{name: "CountSentDeliveriesUpTo", what: "status", args: func(r *rand.Rand) []any { return []any{10_000} }},
		{name: "ListSources", what: "status", args: func(r *rand.Rand) []any { return nil }},
		{name: "CountUnfinishedDeliveries", what: "run --drain", args: func(r *rand.Rand) []any { return nil }},
		{name: "DueDeliveries", what: "retrier", args: func(r *rand.Rand) []any { return []any{[]any{"file", "slack"}, y.end, y.end, 50} }},
		{name: "SearchAlerts", what: "console: alerts, last 30 days", args: func(r *rand.Rand) []any {
			return []any{"", "", "", since30, y.end, 50}
		}},
		{name: "SearchAlerts", what: "console: alerts of a rule, last 30 days", args: func(r *rand.Rand) []any {
			return []any{fmt.Sprintf("rule-%02d", rule(r)), "", "", since30, y.end, 50}
		}},
		{name: "SearchAlerts", what: "console: dead alerts, last 30 days", args: func(r *rand.Rand) []any {
			return []any{"", "", "dead", since30, y.end, 50}
		}},
		{name: "LastPostBefore", what: "console: overview chart", args: func(r *rand.Rand) []any { return []any{window} }},
		{name: "LastMatchBefore", what: "console: overview chart", args: func(r *rand.Rand) []any { return []any{window} }},
		{name: "LastAlertBefore", what: "console: overview chart", args: func(r *rand.Rand) []any { return []any{window} }},
		{name: "PostsPerMinute", what: "console: overview chart", args: func(r *rand.Rand) []any { return []any{window, lastPost} }},
		{name: "MatchesPerMinute", what: "console: overview chart", args: func(r *rand.Rand) []any { return []any{window, lastMatch} }},
		{name: "AlertsPerMinute", what: "console: overview chart", args: func(r *rand.Rand) []any { return []any{window, lastAlert} }},
		{name: "SentPerMinute", what: "console: overview chart", args: func(r *rand.Rand) []any { return []any{window, window} }},
		{name: "CountSourcesByState", what: "console: overview", args: func(r *rand.Rand) []any { return nil }},
		{name: "CountPostsSince", what: "rules test / backfill --since 30d", args: func(r *rand.Rand) []any { return []any{since30} }},
		{name: "FirstPostIDSince", since: 3, what: "rules test / backfill --since 30d: where to start", args: func(r *rand.Rand) []any { return []any{since30} }},
		{name: "PostsSince", what: "rules test / backfill --since 30d: first page", args: func(r *rand.Rand) []any { return []any{since30, first30 - 1, 500} }},
		{name: "PostsSince", what: "rules test / backfill --since 30d: a later page", args: func(r *rand.Rand) []any {
			return []any{since30, y.n - y.n/24 + r.IntN(y.n/48), 500}
		}},
		{name: "GetCrawlRun", what: "crawl: claim a job", args: func(r *rand.Rand) []any {
			return []any{fmt.Sprintf("%s@%d", y.postSource(0), y.start.Unix())}
		}},
		{name: "ListCrawlRuns", what: "crawl runs of a source", args: func(r *rand.Rand) []any { return []any{y.postSource(r.IntN(yearSources)), 20} }},
		{name: "PostsPurgeBoundary", since: 3, what: "purge: posts 180d", args: func(r *rand.Rand) []any { return []any{posts180} }},
		{name: "PurgeablePostIDs", since: 3, what: "purge: a batch of posts", args: func(r *rand.Rand) []any { return []any{0, boundary, posts180, 500} }},
		{name: "DeletePostsByID", since: 3, what: "purge: delete a batch (rolled back)", write: true, args: func(r *rand.Rand) []any {
			ids := make([]any, 500)
			first := 1 + r.IntN(max(int(boundary)-600, 1))
			for k := range ids {
				ids[k] = first + k
			}
			return []any{ids}
		}},
		{name: "DeleteOrphanMatches", since: 3, what: "purge: their matches (rolled back)", write: true, args: func(r *rand.Rand) []any {
			ids := make([]any, 500)
			for k := range ids {
				ids[k] = 1 + r.IntN(max(int(boundary), 1))
			}
			return []any{ids}
		}},
		{name: "DeleteOldCrawlRuns", since: 3, what: "purge: crawl runs 90d (rolled back)", write: true, args: func(r *rand.Rand) []any { return []any{runs90, 500} }},
		{name: "PurgeableAlertIDs", since: 3, what: "purge: alerts 180d", args: func(r *rand.Rand) []any { return []any{alerts180, 0, 500} }},
		{name: "CountPurgeablePosts", since: 3, what: "purge --dry-run", args: func(r *rand.Rand) []any { return []any{boundary, posts180} }},
		{name: "CountMatchesOfPurgeablePosts", since: 3, what: "purge --dry-run", args: func(r *rand.Rand) []any { return []any{boundary, posts180} }},
		{name: "CountOldCrawlRuns", since: 3, what: "purge --dry-run", args: func(r *rand.Rand) []any { return []any{runs90} }},
	}
}

// runYearQueries times each query (up to 30 runs or 5 s) and EXPLAINs it, on a database at
// schema version; a query that comes with a later migration is left out.
func runYearQueries(b *testing.B, db *sql.DB, y year, version int64) []yearResult {
	b.Helper()
	named := namedQueries(b)
	r := newRand()
	var out []yearResult
	for _, q := range yearQueries(db, y) {
		res := yearResult{name: q.name, what: q.what}
		if q.since > version {
			res.skipped = true
			out = append(out, res)
			continue
		}
		var text string
		if q.run == nil {
			var ok bool
			if text, ok = named[q.name]; !ok {
				b.Fatalf("no query %s in queries/*.sql", q.name)
			}
			stmt, args, err := bind(text, q.args(r))
			if err != nil {
				b.Fatalf("%s: %v", q.name, err)
			}
			plan, err := explain(db, stmt, args)
			if err != nil {
				b.Fatalf("EXPLAIN %s: %v", q.name, err)
			}
			res.plan, res.scans = planText(plan), fullScans(plan)
		}
		var took []time.Duration
		deadline := time.Now().Add(5 * time.Second)
		for len(took) < 30 && (len(took) < 3 || time.Now().Before(deadline)) {
			start := time.Now()
			var err error
			switch {
			case q.run != nil:
				err = q.run(r)
			default:
				err = runOnce(db, text, q.args(r), q.write)
			}
			if err != nil {
				b.Fatalf("%s: %v", q.name, err)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		res.runs = len(took)
		res.p50 = took[len(took)/2]
		res.p99 = took[min(len(took)-1, len(took)*99/100)]
		out = append(out, res)
	}
	return out
}

func runOnce(db *sql.DB, text string, args []any, write bool) error {
	stmt, args, err := bind(text, args)
	if err != nil {
		return err
	}
	if write {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		_, err = tx.Exec(stmt, args...)
		return err
	}
	rows, err := db.Query(stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

func printYear(b *testing.B, n int, before, after []yearResult) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%d posts: each query's p50 / p99 over its runs, and its plan (table:access/key)\n\n", n)
	sb.WriteString("| query | for | before p50 / p99 | after p50 / p99 | plan before | plan after |\n|---|---|---|---|---|---|\n")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	for i, a := range after {
		bf := before[i]
		plan := func(r yearResult) string {
			if len(r.scans) > 0 {
				return r.plan + " **full scan: " + strings.Join(r.scans, ", ") + "**"
			}
			return r.plan
		}
		times := func(r yearResult) string {
			if r.skipped {
				return "(new)"
			}
			return ms(r.p50) + " / " + ms(r.p99) + " ms"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s |\n", a.name, a.what, times(bf), times(a), plan(bf), plan(a))
	}
	fmt.Println(sb.String())
}

// normalizeRatio compares the normalize stage's batched upsert of new posts on the year with
// the same on an empty database: rows/s, and their ratio.
func normalizeRatio(b *testing.B, year *sql.DB, y year) {
	b.Helper()
	empty := yearDatabase(b, "gw_year_empty", true)
	if _, err := (store.Migrator{DB: empty}).Up(context.Background()); err != nil {
		b.Fatal(err)
	}
	round := 0
	rate := func(db *sql.DB) float64 {
		q := queries.New(db)
		const batches, per = 20, 500
		now := time.Now().UTC()
		round++
		start := time.Now()
		for k := 0; k < batches; k++ {
			rows := make([]queries.UpsertPostParams, per)
			for j := range rows {
				id := fmt.Sprintf("new-%d-%d-%d", round, k, j)
				rows[j] = queries.UpsertPostParams{Source: y.postSource(j), ExternalID: id, Author: "a", Url: "u", Text: y.text(j),
					ContentHash: fmt.Sprintf("%064d", j), RawPayload: "{}", MessageID: id, FirstSeenAt: now, UpdatedAt: now}
			}
			if err := q.UpsertPosts(context.Background(), rows); err != nil {
				b.Fatal(err)
			}
		}
		return batches * per / time.Since(start).Seconds()
	}
	// Best of three each, alternating: the first batches on either pay for warming up.
	var e, f float64
	for range 3 {
		e, f = max(e, rate(empty)), max(f, rate(year))
	}
	if _, err := year.Exec("DELETE FROM posts WHERE id > ?", y.n); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("normalize upsert of 10,000 new posts (best of 3): empty database %.0f rows/s, the year %.0f rows/s: %.2f of empty\n", e, f, f/e)
	b.ReportMetric(f/e, "normalize-vs-empty")
}

// newRand is the benchmark's one seed: both passes draw the same arguments.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
