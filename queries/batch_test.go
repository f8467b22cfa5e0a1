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
