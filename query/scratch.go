package query

import (
	"unsafe"

	"groupwatch/textnorm"
)

// scratch is the per-call working memory of Match. Matchers keep them in a
// sync.Pool so concurrent calls never share one and steady-state calls do
// not allocate.
type scratch struct {
	// gen identifies the current call: a term or rule is marked for this
	// call when its mark equals gen, so nothing needs clearing between
	// calls.
	gen        uint32
	termMark   []uint32
	ruleMark   []uint32
	found      []int32 // terms found, in order of discovery
	candidates []int32 // rules with a found non-negated term
	matched    []int32 // candidates that hold
	terms      []int32 // terms of all results, one after the other
	termEnds   []int   // where each result's terms end in terms
	folded     []byte  // the folded text of the current call, when it differs
}

// fold returns the text the automaton scans: normalized folded to one form
// of each Chinese character when on is set. It reuses the scratch's buffer,
// so the result is only valid until the scratch is used again; Match never
// lets it escape (results hold the rules' own term texts).
func (s *scratch) fold(on bool, normalized string) string {
	if !on {
		return normalized
	}
	buf, changed := textnorm.AppendFoldVariants(s.folded[:0], normalized)
	if !changed {
		return normalized
	}
	s.folded = buf
	return unsafe.String(unsafe.SliceData(buf), len(buf))
}

func (m *Matcher) newScratch() *scratch {
	return &scratch{
		termMark: make([]uint32, len(m.terms)),
		ruleMark: make([]uint32, len(m.rules)),
	}
}

// reset starts a new call.
func (s *scratch) reset() {
	s.gen++
	if s.gen == 0 {
		// After 2^32 calls old marks could look current again.
		clear(s.termMark)
		clear(s.ruleMark)
		s.gen = 1
	}
	s.found = s.found[:0]
	s.candidates = s.candidates[:0]
	s.matched = s.matched[:0]
	s.terms = s.terms[:0]
	s.termEnds = s.termEnds[:0]
}
