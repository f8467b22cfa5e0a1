package query

import (
	"strings"
	"unicode/utf8"
)

// Expr is a parsed query: a Term, And, Or or Not. Parse builds it in a
// canonical shape (nested ANDs and ORs flattened, double negations removed,
// term text normalized), and String prints it back so that
// Parse(e.String()) returns an Expr equal to e.
type Expr interface {
	// String returns the canonical query text of the expression.
	String() string
	isExpr()
}

// Term matches a word or phrase. Text is in textnorm.Normalize form; a
// quoted phrase and a bare word with the same normalized text are the same
// Term.
type Term struct {
	Text string
}

// And matches when all of Args match.
type And struct {
	Args []Expr
}

// Or matches when any of Args matches.
type Or struct {
	Args []Expr
}

// Not matches when Arg does not.
type Not struct {
	Arg Expr
}

func (Term) isExpr() {}
func (And) isExpr()  {}
func (Or) isExpr()   {}
func (Not) isExpr()  {}

// String returns the text as a bare word when it would read back as the same
// single term, and as a quoted phrase otherwise.
func (t Term) String() string {
	if needsQuotes(t.Text) {
		return `"` + t.Text + `"`
	}
	return t.Text
}

func (a And) String() string {
	parts := make([]string, len(a.Args))
	for i, x := range a.Args {
		parts[i] = x.String()
		// AND binds tighter than OR, so an OR operand needs parentheses.
		if _, ok := x.(Or); ok {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " ")
}

func (o Or) String() string {
	parts := make([]string, len(o.Args))
	for i, x := range o.Args {
		parts[i] = x.String()
		// Parse flattens nested ORs; one built by hand keeps its grouping.
		if _, ok := x.(Or); ok {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " OR ")
}

func (n Not) String() string {
	if t, ok := n.Arg.(Term); ok {
		return "-" + t.String()
	}
	return "-(" + n.Arg.String() + ")"
}

// needsQuotes reports whether text, written bare, would not lex back as one
// word with that text.
func needsQuotes(text string) bool {
	if text == "" || text == "OR" || text == "AND" || text == "NOT" {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(text); isMinus(r) {
		return true
	}
	return strings.IndexFunc(text, endsWord) >= 0
}

// hasQuote reports whether text contains a rune the lexer reads as a quote;
// such text cannot be written as a term of the language.
func hasQuote(text string) bool {
	return strings.IndexFunc(text, isQuote) >= 0
}
