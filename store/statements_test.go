package store

import "testing"

func TestStatements(t *testing.T) {
	got := Statements("-- a comment\nCREATE TABLE a (\n  x INT -- trailing\n);\n\n-- another\nCREATE TABLE b (y INT);\n")
	if len(got) != 2 || got[1] != "CREATE TABLE b (y INT)" {
		t.Fatalf("got %q", got)
	}
}
