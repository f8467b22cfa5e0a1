package queries_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"groupwatch/internal/testenv"
	"groupwatch/queries"
)

// The normalize stage's lookup of a full batch (500 keys, past MariaDB's
// eq_range_index_dive_limit of 200) goes through the unique key even while the table's
// statistics are behind: 2,000 posts written and then written again (edits), as a backlog
// does in its first seconds, before InnoDB counted them. MariaDB 10.11 plans that lookup as a
// full scan of posts unless the index is forced, and the benchmark's burst paid it for every
// large batch.
func TestPostsByExternalIDsUsesTheIndex(t *testing.T) {
	env := testenv.New(t)
	if env.Embedded {
		t.Skip("the plan is MySQL's: set GROUPWATCH_TEST_MYSQL_DSN to check it")
	}
	db := env.DB(t)
	ctx := context.Background()
	const rows, keys = 2000, 500
	write := func(from, to int, hash string) {
		var values []string
		var args []any
		for i := from; i < to; i++ {
			values = append(values, "('plan', ?, '', '', '', ?, '{}', NOW(6), NOW(6))")
			args = append(args, fmt.Sprintf("post-%05d", i), strings.Repeat(hash, 64))
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO posts (source, external_id, author, url, text, content_hash, raw_payload, first_seen_at, updated_at) VALUES "+
			strings.Join(values, ",")+" ON DUPLICATE KEY UPDATE content_hash = VALUES(content_hash)", args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, hash := range []string{"0", "1"} {
		for i := 0; i < rows; i += 500 {
			write(i, i+500, hash)
		}
	}
	stmt := strings.Replace(queries.PostsByExternalIDsSQL, "/*SLICE:external_ids*/?", strings.TrimPrefix(strings.Repeat(",?", keys), ","), 1)
	lookup := []any{"plan"}
	for i := range keys {
		lookup = append(lookup, fmt.Sprintf("post-%05d", i*3))
	}
	plan := explain(t, db, "EXPLAIN "+stmt, lookup...)
	if plan["type"] == "ALL" || plan["key"] != "posts_source_external_id" {
		t.Fatalf("the lookup of %d keys in %d posts is planned as %v, want a range over posts_source_external_id", keys, rows, plan)
	}
	got, err := queries.New(db).PostsByExternalIDs(ctx, queries.PostsByExternalIDsParams{Source: "plan", ExternalIds: stringsOf(lookup[1:])})
	if err != nil || len(got) != keys {
		t.Fatalf("the lookup found %d of %d posts (%v)", len(got), keys, err)
	}
}

func explain(t *testing.T, db *sql.DB, stmt string, args ...any) map[string]string {
	t.Helper()
	rows, err := db.Query(stmt, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("no plan for %s", stmt)
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	plan := map[string]string{}
	for i, c := range cols {
		plan[c] = vals[i].String
	}
	return plan
}

func stringsOf(vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.(string)
	}
	return out
}
