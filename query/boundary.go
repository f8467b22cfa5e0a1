package query

import (
	"unicode"
	"unicode/utf8"
)

// isWordRune reports whether r is part of a word for the purpose of word
// boundaries: a letter, combining mark, number or underscore, except CJK.
// Marks count so that a term cannot end in the middle of a letter with an
// accent that did not compose; underscores count because they join words in
// handles and hashtags. CJK is excluded because it is written without spaces:
// 二手 must match inside 二手車, and iphone must match in iphone二手.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' || 'A' <= r && r <= 'Z'
	}
	if isCJK(r) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r)
}

// isCJK reports whether r is Han, Hiragana, Katakana or Hangul (or the
// katakana prolonged sound mark ー, which Unicode files under Common).
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == 'ー'
}

// edges says which ends of a term must fall on a word boundary.
type edges struct {
	start, end bool
}

// termEdges returns the boundary requirements of a normalized term: an end
// needs a boundary exactly when its rune is a word rune.
func termEdges(term string) edges {
	first, _ := utf8.DecodeRuneInString(term)
	last, _ := utf8.DecodeLastRuneInString(term)
	return edges{start: isWordRune(first), end: isWordRune(last)}
}

// fits reports whether an occurrence of a term with edges e at
// text[start:end] respects the word boundaries: the runes just outside it
// are not word runes where the term needs a boundary.
func (e edges) fits(text string, start, end int) bool {
	if e.start && start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(text[:start]); isWordRune(r) {
			return false
		}
	}
	if e.end && end < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[end:]); isWordRune(r) {
			return false
		}
	}
	return true
}
