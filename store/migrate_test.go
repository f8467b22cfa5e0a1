package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// TestMigrationsMatchSchema: every migration applied to an empty database gives what
// schema.sql gives applied to another (tables, columns with their types, nullability and
// defaults, indexes), on the stand-in and on real MySQL.
func TestMigrationsMatchSchema(t *testing.T) {
	for name, empty := range testenv.EmptyDatabases() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			migrated := empty(t).DB(t)
			if _, err := (store.Migrator{DB: migrated}).Up(ctx); err != nil {
				t.Fatal(err)
			}
			fromSchema := empty(t).DB(t)
			applySchema(t, fromSchema, groupwatchSchema())
			want, got := describe(t, fromSchema), describe(t, migrated)
			if diff := diffLines(want, got); diff != "" {
				t.Fatalf("the migrations and schema.sql disagree (- schema.sql, + migrations):\n%s", diff)
			}
		})
	}
}

// TestAdoptsDatabaseMadeBeforeVersions: a database made by `pipeline migrate` before
// migrations were versioned (the schema of that release, no version table), filled, is
// adopted: every row is still there, byte for byte, and its schema is then schema.sql's. The
// older variant, with post ids still VARCHAR, gets them upgraded by migration 2.
func TestAdoptsDatabaseMadeBeforeVersions(t *testing.T) {
	release, err := os.ReadFile("testdata/schema-before-versions.sql")
	if err != nil {
		t.Fatal(err)
	}
	for name, empty := range testenv.EmptyDatabases() {
		for _, variant := range []string{"release", "varchar-ids"} {
			t.Run(name+"/"+variant, func(t *testing.T) {
				ctx := context.Background()
				env := empty(t)
				db := env.DB(t)
				applySchema(t, db, string(release))
				if variant == "varchar-ids" {
					if env.Embedded {
						t.Skip("post ids were VARCHAR only on databases of real MariaDB or MySQL: the upgrade is theirs")
					}
					exec(t, db, "ALTER TABLE posts MODIFY source VARCHAR(191) NOT NULL, MODIFY external_id VARCHAR(191) NOT NULL")
				}
				fill(t, db)
				before := dump(t, db)

				m := store.Migrator{DB: db}
				if err := m.Check(ctx); !errors.Is(err, store.ErrSchemaBehind) || !strings.Contains(err.Error(), "before migrations were versioned") || !strings.Contains(err.Error(), "pipeline migrate") {
					t.Fatalf("check before adoption: %v", err)
				}
				applied, err := m.Up(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(applied) == 0 || applied[0].Version != 1 {
					t.Fatalf("applied %+v, want version 1 first", applied)
				}
				if err := m.Check(ctx); err != nil {
					t.Fatalf("check after adoption: %v", err)
				}
				if after := dump(t, db); after != before {
					t.Fatalf("rows changed by the adoption:\n%s", diffLines(before, after))
				}
				fresh := empty(t).DB(t)
				applySchema(t, fresh, groupwatchSchema())
				if diff := diffLines(describe(t, fresh), describe(t, db)); diff != "" {
					t.Fatalf("the adopted database is not schema.sql's (- schema.sql, + adopted):\n%s", diff)
				}
				again, err := m.Up(ctx)
				if err != nil || len(again) != 0 {
					t.Fatalf("a second migrate applied %+v (%v)", again, err)
				}
			})
		}
	}
}

// TestMigrationStatusAndCheck: an empty database has every migration pending and is refused
// with a message naming `pipeline migrate`; a migrated one has none and passes.
func TestMigrationStatusAndCheck(t *testing.T) {
	ctx := context.Background()
	db := testenv.Empty(t).DB(t)
	m := store.Migrator{DB: db}
	all, err := m.Status(ctx)
	if err != nil || len(all) < 2 || store.Pending(all) != len(all) {
		t.Fatalf("status of an empty database: %+v %v", all, err)
	}
	if all[0].Version != 1 || all[0].Name != "baseline" {
		t.Fatalf("first migration %+v, want 1 baseline", all[0])
	}
	if err := m.Check(ctx); !errors.Is(err, store.ErrSchemaBehind) || !strings.Contains(err.Error(), "pipeline migrate") {
		t.Fatalf("check of an empty database: %v", err)
	}
	if exists := tableCount(t, db, store.VersionTable); exists != 0 {
		t.Fatal("status or check created the version table: they must only read")
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	all, err = m.Status(ctx)
	if err != nil || store.Pending(all) != 0 {
		t.Fatalf("status after migrate: %+v %v", all, err)
	}
	for _, mig := range all {
		if mig.AppliedAt.IsZero() {
			t.Fatalf("version %d applied at no time", mig.Version)
		}
	}
	if err := m.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateTakesTheAdvisoryLock: while another session holds the migration lock, migrate
// waits and then gives up saying so; replicas migrating together both succeed, once.
func TestMigrateTakesTheAdvisoryLock(t *testing.T) {
	env := testenv.Empty(t)
	if env.Embedded {
		t.Skip("the stand-in lives in one process: nothing to race")
	}
	ctx := context.Background()
	db := env.DB(t)
	other := env.DB(t) // another process: its own sessions
	holder, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got int
	if err := holder.QueryRowContext(ctx, "SELECT GET_LOCK(CONCAT('gw.migrate.', LEFT(SHA2(DATABASE(), 256), 32)), 1)").Scan(&got); err != nil || got != 1 {
		t.Fatalf("cannot hold the lock: %d %v", got, err)
	}
	_, err = store.Migrator{DB: db, LockWait: time.Second}.Up(ctx)
	if err == nil || !strings.Contains(err.Error(), "migration lock") {
		t.Fatalf("migrate while the lock is held: %v", err)
	}
	if n := tableCount(t, db, "posts"); n != 0 {
		t.Fatal("migrate created tables without the lock")
	}
	holder.Close()
	other.Close() // the server releases a session's locks when it ends

	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = store.Migrator{DB: db}.Up(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	var rows int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+store.VersionTable+" WHERE version_id = 1").Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("version 1 recorded %d times (%v), want once", rows, err)
	}
}

func applySchema(t *testing.T, db *sql.DB, schema string) {
	t.Helper()
	for _, stmt := range store.Statements(schema) {
		exec(t, db, stmt)
	}
}

func exec(t *testing.T, db *sql.DB, stmt string, args ...any) {
	t.Helper()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", strings.SplitN(stmt, "\n", 2)[0], err)
	}
}

func tableCount(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// describe is a database's schema as sorted lines from information_schema: tables, columns
// (type, nullability, default) and index parts. The version table is not part of it.
func describe(t *testing.T, db *sql.DB) string {
	t.Helper()
	var lines []string
	collect := func(query string) {
		rows, err := db.Query(query, store.VersionTable)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = "NULL"
				if v.Valid {
					parts[i] = fmt.Sprintf("%q", strings.ToLower(v.String))
				}
			}
			lines = append(lines, strings.Join(parts, " "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	collect("SELECT 'table', TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ?")
	collect("SELECT 'column', TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ?")
	collect("SELECT 'index', TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ?")
	sort.Strings(lines)
	if len(lines) == 0 {
		t.Fatal("information_schema shows nothing")
	}
	return strings.Join(lines, "\n")
}

func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var out []string
	for l := range w {
		if !g[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range g {
		if !w[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// fill puts rows in every table, with the values that are easiest to damage: ids with a
// trailing space, CJK text, NULLs and microseconds.
func fill(t *testing.T, db *sql.DB) {
	t.Helper()
	at := "2026-05-01 10:11:12.123456"
	for i := 0; i < 20; i++ {
		exec(t, db, "INSERT INTO posts (source, external_id, author, url, text, content_hash, raw_payload, message_id, posted_at, first_seen_at, updated_at, edits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"fb:g", fmt.Sprintf("p%d", i), "作者", "https://example.test/p", fmt.Sprintf("相機 %d", i), strings.Repeat("a", 64), "{}", "m", nil, at, at, i%3)
		exec(t, db, "INSERT INTO matches (rule_id, post_id, terms, created_at) VALUES (1, ?, '[\"相機\"]', ?)", i+1, at)
		exec(t, db, "INSERT INTO alerts (dedup_key, rule_id, post_id, kind, terms, created_at) VALUES (?, 1, ?, 'instant', '[]', ?)", fmt.Sprintf("%064d", i), i+1, at)
		exec(t, db, "INSERT INTO deliveries (alert_id, sink, status, alert_json, updated_at) VALUES (?, 'file', 'sent', '{}', ?)", i+1, at)
		exec(t, db, "INSERT INTO crawl_runs (job_id, source, started_at) VALUES (?, 'fb:g', ?)", fmt.Sprintf("fb:g@%d", i), at)
		exec(t, db, "INSERT INTO rule_events (rule_id, group_key, post_id, at) VALUES (1, '*', ?, ?)", i+1, at)
		exec(t, db, "INSERT INTO keyword_daily (day, rule_id, group_by, group_key, matches, updated_at) VALUES (?, 1, 'rule', '*', ?, ?)", fmt.Sprintf("2026-05-%02d", i+1), i, at)
	}
	exec(t, db, "INSERT INTO posts (source, external_id, text, content_hash, raw_payload, first_seen_at, updated_at) VALUES ('fb:g', 'padded ', 'padded id', '', '{}', ?, ?)", at, at)
	exec(t, db, "INSERT INTO rules (name, query, kind, updated_at) VALUES ('cameras', '相機', 'instant', ?)", at)
	exec(t, db, "INSERT INTO sources (name, kind, url, account, created_at, updated_at) VALUES ('fb:g', 'facebook_group', 'https://example.test/g', 'a', ?, ?)", at, at)
	exec(t, db, "INSERT INTO rule_state (rule_id, group_key, next_allowed_at, updated_at) VALUES (1, '*', ?, ?)", at, at)
	exec(t, db, "INSERT INTO silences (rule, ends_at, created_at) VALUES ('cameras', ?, ?)", at, at)
}

// dump is every row of every table, ordered, as text.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"posts", "rules", "matches", "alerts", "deliveries", "sources", "crawl_runs", "rule_events", "rule_state", "silences", "keyword_daily"} {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = fmt.Sprintf("%q", v)
			}
			lines = append(lines, table+" "+strings.Join(parts, " "))
		}
		rows.Close()
		if len(lines) == 0 {
			t.Fatalf("table %s is empty: fill every table", table)
		}
		sort.Strings(lines)
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}
