// Package textnorm turns post and query text into the one form that keyword
// matching runs on: NFKC, case-folded, without zero-width characters, and
// with every run of white space collapsed to a single ASCII space (a line break
// wrapping Chinese or Japanese text is dropped).
package textnorm

// Normalize returns the matching form of s.
//
// It applies Unicode NFKC (so full-width "Ｉｐｈｏｎｅ　１５" becomes "iphone 15"),
// full case folding, removes zero-width characters (U+200B, U+200C, U+200D,
// U+2060, U+FEFF and the soft hyphen U+00AD), turns every run of Unicode
// white space into one ASCII space and trims both ends. Invalid UTF-8 is
// replaced by U+FFFD. Normalize is idempotent:
// Normalize(Normalize(s)) == Normalize(s).
//
// Text made only of ASCII, CJK, kana, Hangul, common punctuation and emoji
// takes a single-pass fast path, and when it is already normal it is
// returned without allocating; anything else goes through the full
// x/text pipeline.
func Normalize(s string) string {
	// Most posts are ASCII, CJK and full-width punctuation, which the fast
	// path handles in one pass; anything it cannot prove it handles exactly
	// like the full pipeline goes through the full pipeline.
	if out, ok := normalizeFast(s); ok {
		return out
	}
	return normalizeFull(s)
}

// isZeroWidth reports whether r is one of the invisible characters that
// Normalize removes. They are used to defeat keyword filters ("i\u200bphone")
// and carry no meaning for matching.
func isZeroWidth(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD':
		return true
	}
	return false
}
