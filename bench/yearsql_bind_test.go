package bench

import (
	"fmt"
	"testing"
)

// TestBindQueries: every query the year benchmark names binds its arguments the way sqlc's
// generated function passes them (a repeated sqlc.arg takes one value; a slice expands), so
// the benchmark does not find out after a long fill. It needs no server.
func TestBindQueries(t *testing.T) {
	text, args, err := bind("SELECT 1 WHERE a = sqlc.arg(at) AND b IN (sqlc.slice('ids')) AND c > sqlc.arg(at) AND d = ?", []any{7, []any{1, 2}, "x"})
	if err != nil || text != "SELECT 1 WHERE a = ? AND b IN (?,?) AND c > ? AND d = ?" || fmt.Sprint(args) != "[7 1 2 7 x]" {
		t.Fatalf("bind: %q %v %v", text, args, err)
	}
	named := namedQueries(t)
	y := year{n: 1000, start: yearEnd.AddDate(-1, 0, 0), end: yearEnd}
	for _, q := range yearQueries(nil, y) {
		if q.run != nil {
			continue
		}
		query, ok := named[q.name]
		if !ok {
			t.Errorf("no query %s in queries/*.sql", q.name)
			continue
		}
		if _, _, err := bind(query, q.args(newRand())); err != nil {
			t.Errorf("%s (%s): %v", q.name, q.what, err)
		}
	}
}
