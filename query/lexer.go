package query

import "unicode"

// tokenKind is the kind of a lexical token of the query language.
type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokWord
	tokPhrase
	tokLParen
	tokRParen
	tokMinus
	tokOr
	tokAnd
	tokNot
)

// token is one lexical token; col is the 1-based rune column of its start.
type token struct {
	kind tokenKind
	text string
	col  int
}

// startsOperand reports whether a token of kind k can begin a term, phrase,
// group or negation.
func (k tokenKind) startsOperand() bool {
	switch k {
	case tokWord, tokPhrase, tokLParen, tokMinus, tokNot:
		return true
	}
	return false
}

// lex splits q into tokens, ending with a tokEOF.
func lex(q string) ([]token, error) {
	rs := []rune(q)
	var toks []token
	for i := 0; i < len(rs); {
		r, col := rs[i], i+1
		switch {
		case unicode.IsSpace(r):
			i++
		case isOpenParen(r):
			toks = append(toks, token{kind: tokLParen, col: col})
			i++
		case isCloseParen(r):
			toks = append(toks, token{kind: tokRParen, col: col})
			i++
		case isQuote(r):
			j := i + 1
			for j < len(rs) && !isQuote(rs[j]) {
				j++
			}
			if j == len(rs) {
				return nil, errorAt(col, "unterminated quote")
			}
			if j == i+1 {
				return nil, errorAt(col, "empty phrase")
			}
			toks = append(toks, token{kind: tokPhrase, text: string(rs[i+1 : j]), col: col})
			i = j + 1
		case isMinus(r):
			// A '-' only negates what is written right after it; "a - b"
			// is more likely a typo than a negation of b, so say so.
			if i+1 == len(rs) || unicode.IsSpace(rs[i+1]) || isCloseParen(rs[i+1]) {
				return nil, errorAt(col, "'-' must be written directly before the term, phrase or group it negates")
			}
			toks = append(toks, token{kind: tokMinus, col: col})
			i++
		default:
			j := i + 1
			for j < len(rs) && !endsWord(rs[j]) {
				j++
			}
			toks = append(toks, wordToken(string(rs[i:j]), col))
			i = j
		}
	}
	return append(toks, token{kind: tokEOF, col: len(rs) + 1}), nil
}

// wordToken makes the token for a bare word, which may be a keyword.
func wordToken(w string, col int) token {
	kind := tokWord
	switch w {
	case "OR":
		kind = tokOr
	case "AND":
		kind = tokAnd
	case "NOT":
		kind = tokNot
	}
	return token{kind: kind, text: w, col: col}
}

// endsWord reports whether r ends a bare word.
func endsWord(r rune) bool {
	return unicode.IsSpace(r) || isQuote(r) || isOpenParen(r) || isCloseParen(r)
}

func isQuote(r rune) bool      { return r == '"' || r == '＂' || r == '“' || r == '”' }
func isOpenParen(r rune) bool  { return r == '(' || r == '（' }
func isCloseParen(r rune) bool { return r == ')' || r == '）' }
func isMinus(r rune) bool      { return r == '-' || r == '－' }
