package bench

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// namedQueries reads queries/*.sql: the text of each query by its sqlc name, so the benchmark
// times and EXPLAINs exactly what the product runs.
func namedQueries(tb testing.TB) map[string]string {
	tb.Helper()
	files, err := filepath.Glob("../queries/*.sql")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no queries/*.sql (%v)", err)
	}
	out := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		name := ""
		var body strings.Builder
		flush := func() {
			if name != "" {
				out[name] = strings.TrimSuffix(strings.TrimSpace(body.String()), ";")
			}
			body.Reset()
		}
		for _, line := range strings.Split(string(data), "\n") {
			t := strings.TrimSpace(line)
			if rest, ok := strings.CutPrefix(t, "-- name: "); ok {
				flush()
				name = strings.Fields(rest)[0]
				continue
			}
			if strings.HasPrefix(t, "--") || t == "" {
				continue
			}
			body.WriteString(line + "\n")
		}
		flush()
	}
	return out
}

var sqlcParam = regexp.MustCompile(`\?|sqlc\.slice\('[^']*'\)|sqlc\.arg\([^)]*\)`)

// bind turns a sqlc query into plain SQL with args, one per parameter as sqlc's generated
// function takes them: sqlc.arg(x) is one placeholder (a name used again takes the same
// value, as sqlc passes it) and sqlc.slice(x), whose argument is a []any, as many as it has
// values.
func bind(query string, args []any) (string, []any, error) {
	var out []any
	i := 0
	var bad error
	named := map[string]any{}
	text := sqlcParam.ReplaceAllStringFunc(query, func(m string) string {
		if v, ok := named[m]; ok && strings.HasPrefix(m, "sqlc.arg") {
			out = append(out, v)
			return "?"
		}
		if i >= len(args) {
			bad = fmt.Errorf("more parameters than the %d arguments given", len(args))
			return m
		}
		a := args[i]
		i++
		if strings.HasPrefix(m, "sqlc.slice") {
			vals, ok := a.([]any)
			if !ok || len(vals) == 0 {
				bad = fmt.Errorf("argument %d of %s must be a non-empty []any", i, m)
				return m
			}
			out = append(out, vals...)
			return strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")
		}
		if strings.HasPrefix(m, "sqlc.arg") {
			named[m] = a
		}
		out = append(out, a)
		return "?"
	})
	if bad == nil && i != len(args) {
		bad = fmt.Errorf("%d arguments for %d parameters", len(args), i)
	}
	return text, out, bad
}

// planRow is one row of MariaDB's or MySQL's EXPLAIN.
type planRow struct {
	table, typ, key, extra string
	rows                   int64
}

// explain returns the plan of query with args.
func explain(db *sql.DB, query string, args []any) ([]planRow, error) {
	rows, err := db.Query("EXPLAIN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []planRow
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var r planRow
		for i, c := range cols {
			v := vals[i].String
			switch strings.ToLower(c) {
			case "table":
				r.table = v
			case "type":
				r.typ = v
			case "key":
				r.key = v
			case "extra":
				r.extra = v
			case "rows":
				fmt.Sscan(v, &r.rows)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// bigTables are the tables that grow with posts: a full scan of one is a finding. Aliases
// as the queries write them.
var bigTables = map[string]string{"posts": "posts", "p": "posts", "matches": "matches", "m": "matches", "alerts": "alerts", "a": "alerts"}

// fullScans names the big tables a plan reads whole: type ALL, or index (every entry of an
// index) unless the estimate is a LIMIT's few rows (an ORDER BY … LIMIT walk that stops).
func fullScans(plan []planRow) []string {
	var out []string
	for _, r := range plan {
		if t, ok := bigTables[r.table]; ok && (r.typ == "ALL" || r.typ == "index" && r.rows > 1000) {
			out = append(out, fmt.Sprintf("%s(%s, %d rows)", t, r.typ, r.rows))
		}
	}
	return out
}

func planText(plan []planRow) string {
	var parts []string
	for _, r := range plan {
		key := r.key
		if key == "" {
			key = "-"
		}
		parts = append(parts, fmt.Sprintf("%s:%s/%s", r.table, r.typ, key))
	}
	return strings.Join(parts, " ")
}
