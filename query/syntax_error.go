package query

import "fmt"

// SyntaxError reports why a query could not be parsed and where.
type SyntaxError struct {
	// Column is the 1-based position, counted in runes, of the query text
	// where the problem is.
	Column int
	// Msg describes the problem, e.g. "unterminated quote".
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at column %d", e.Msg, e.Column)
}

func errorAt(col int, msg string) *SyntaxError {
	return &SyntaxError{Column: col, Msg: msg}
}
