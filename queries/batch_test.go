package queries

import (
	"strings"
	"testing"
)

func TestRepeatValues(t *testing.T) {
	got, err := repeatValues(upsertPost, 3)
	if err != nil {
		t.Fatal(err)
	}
	tuple := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	if n := strings.Count(got, tuple); n != 3 {
		t.Fatalf("want 3 tuples, got %d in %s", n, got)
	}
	if !strings.Contains(got, tuple+","+tuple+","+tuple+"\nON DUPLICATE KEY UPDATE") {
		t.Fatalf("tuples not joined before the update clause: %s", got)
	}
	if strings.Count(got, "?") != 33 {
		t.Fatalf("want 33 placeholders, got %d", strings.Count(got, "?"))
	}
}

func TestRepeatValuesRejectsValuesInTuple(t *testing.T) {
	if _, err := repeatValues("INSERT INTO t (a) VALUES (?, 'x')", 2); err == nil {
		t.Fatal("want an error for a literal inside the tuple")
	}
	if _, err := repeatValues("UPDATE t SET a = ?", 2); err == nil {
		t.Fatal("want an error for a statement without VALUES")
	}
}

// InsertPosts passes its rows in UpsertPosts's order: the two statements must name the same
// columns in the same order.
func TestInsertPostNamesUpsertPostsColumns(t *testing.T) {
	columns := func(stmt string) string {
		start := strings.Index(stmt, "INSERT INTO posts (")
		end := strings.Index(stmt, ")\nVALUES")
		if start < 0 || end < start {
			t.Fatalf("no column list in %s", stmt)
		}
		return stmt[start:end]
	}
	if columns(insertPost) != columns(upsertPost) {
		t.Fatalf("InsertPost and UpsertPost name different columns:\n%s\n%s", columns(insertPost), columns(upsertPost))
	}
	got, err := repeatValues(insertPost, 2)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(got, "?") != 22 || strings.Contains(got, "DUPLICATE") {
		t.Fatalf("want a plain two-row insert, got %s", got)
	}
}
