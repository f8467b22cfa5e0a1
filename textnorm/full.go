package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// normalizeFull is the reference pipeline that handles any input. It is
// slower than normalizeFast because each step makes its own pass and copy.
func normalizeFull(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	// Zero-width characters go first: removing them after NFKC could leave a
	// base letter next to a combining mark that NFKC would then compose, and
	// a second Normalize would no longer be a no-op.
	s = strings.Map(dropZeroWidth, s)
	s = norm.NFKC.String(s)
	// Folding can produce text that is not NFKC (U+0345 folds to a starter
	// that may now compose), so fold and renormalize until both hold; two
	// rounds suffice in practice, the bound only guards against surprises.
	for range 4 {
		// A Caser is stateful and must not be shared between goroutines, so
		// each call makes its own; this path is the rare one.
		s = cases.Fold().String(s)
		if norm.NFKC.IsNormalString(s) {
			break
		}
		s = norm.NFKC.String(s)
	}
	// x/text folds an upper-case Cherokee letter to lower case, while Unicode folds
	// Cherokee to upper case (and folds lower case there): without this, Normalize of its
	// own output would differ.
	s = strings.Map(foldCherokee, s)
	return collapseSpace(s)
}

// foldCherokee maps Cherokee small letters to the capitals Unicode's case folding gives.
func foldCherokee(r rune) rune {
	switch {
	case 0xAB70 <= r && r <= 0xABBF:
		return r - 0xAB70 + 0x13A0
	case 0x13F8 <= r && r <= 0x13FD:
		return r - 8
	}
	return r
}

// dropZeroWidth is a strings.Map function deleting zero-width characters.
func dropZeroWidth(r rune) rune {
	if isZeroWidth(r) {
		return -1
	}
	return r
}

// collapseSpace replaces each run of Unicode white space with one ASCII space, drops a
// single line break standing between two CJK characters (see spaceRun) and trims both ends.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	var run spaceRun
	var prev rune
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !pending {
				run = spaceRun{}
			}
			run.add(r)
			pending = b.Len() > 0
			continue
		}
		if pending {
			if !run.joins(prev, r) {
				b.WriteByte(' ')
			}
			pending = false
		}
		prev = r
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
