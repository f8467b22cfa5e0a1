package query

import (
	"slices"
	"strings"

	"groupwatch/textnorm"
)

// Spellings returns how the normalized text writes the term where a rule finds it, in order
// of first occurrence, each once: the term itself, and for a rule that is not exact its
// Chinese variants (相机 for the term 相機). A result without the term itself means the
// match came only through folding; `pipeline rules test` says so. It is for explaining a
// match, not for the hot path: it searches the whole text for one term.
func Spellings(normalized, term string, exact bool) []string {
	if term == "" {
		return nil
	}
	text, pattern := normalized, term
	if !exact {
		text, pattern = textnorm.FoldVariants(normalized), textnorm.FoldVariants(term)
	}
	e := termEdges(term)
	var out []string
	for from := 0; from < len(text); {
		i := strings.Index(text[from:], pattern)
		if i < 0 {
			break
		}
		start, end := from+i, from+i+len(pattern)
		from = start + 1
		if !e.fits(text, start, end) {
			continue
		}
		// Folding keeps byte offsets: the same bytes of the normalized text are the post's
		// own spelling.
		if s := normalized[start:end]; !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
