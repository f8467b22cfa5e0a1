package textnorm

import "unicode"

// spaceRun follows one run of white space while it is collapsed, to decide what the run
// becomes: one space, or nothing when it is a single line break standing between two CJK
// characters. Chinese and Japanese put no space between words, so plain-text forums,
// mailing lists and feeds that hard-wrap them split a word across lines ("合\n作"); were
// the break a space, the term "合作" would no longer be found. A run without a line break
// is kept as a space (a space between CJK words can be deliberate), and so is a blank line
// (two breaks: a paragraph ends there).
type spaceRun struct {
	breaks int  // line breaks in the run; "\r\n" counts once
	cr     bool // the last rune was '\r'
}

// add counts r, a white-space rune of the run.
func (s *spaceRun) add(r rune) {
	switch r {
	case '\n':
		if !s.cr {
			s.breaks++
		}
	case '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		s.breaks++
	}
	s.cr = r == '\r'
}

// joins says the run disappears between prev (the last rune written) and next.
func (s *spaceRun) joins(prev, next rune) bool {
	return s.breaks == 1 && isWrappedCJK(prev) && isWrappedCJK(next)
}

// isWrappedCJK reports whether r is written without spaces between words, so a line break
// next to it is only wrapping: Han ideographs, kana and CJK punctuation. Hangul is not:
// Korean puts spaces between words, and a wrap usually stands where one was.
func isWrappedCJK(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case 0x3001 <= r && r <= 0x303F, r == 0x30FC:
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
