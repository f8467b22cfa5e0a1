package query

import (
	"slices"
)

// Result is one rule that a post matched.
type Result struct {
	// Rule is the rule's name.
	Rule string
	// Terms are the distinct non-negated terms, in normalized form and
	// sorted, that were found and made the rule true; a term in an OR
	// alternative that did not hold is left out.
	Terms []string
}

// Match returns the rules that the normalized text (see textnorm.Normalize)
// matches, in the order the rules were given to Compile, or nil.
//
// One pass of the automaton finds every term of every rule; only rules with
// a found non-negated term are then evaluated, so the cost per post hardly
// grows with the number of rules. Unless every rule is exact, the text is
// folded first (textnorm.FoldVariants) and the automaton runs over the
// folded text, against the folded terms.
func (m *Matcher) Match(normalized string) []Result {
	s := m.scratch.Get().(*scratch)
	defer m.scratch.Put(s)
	s.reset()
	m.findTerms(s, normalized, s.fold(m.fold, normalized))
	if len(s.found) == 0 {
		return nil
	}
	for _, t := range s.found {
		for _, r := range m.triggers[m.triggerStart[t]:m.triggerStart[t+1]] {
			if s.ruleMark[r] != s.gen {
				s.ruleMark[r] = s.gen
				s.candidates = append(s.candidates, r)
			}
		}
	}
	// Evaluate first and sort only the rules that hold, usually far fewer.
	s.matched = s.matched[:0]
	for _, r := range s.candidates {
		rule := &m.rules[r]
		if rule.need >= 0 && s.termMark[rule.need] != s.gen {
			continue
		}
		if m.eval(s, rule.root) {
			s.matched = append(s.matched, r)
		}
	}
	if len(s.matched) == 0 {
		return nil
	}
	slices.Sort(s.matched)
	return m.results(s)
}

// results builds the results of the matched rules in s. Term indexes are in
// text order, so sorting them sorts the texts. All Terms share one backing
// array, so a call costs two allocations whatever the number of results;
// each Terms has its capacity capped so that appending to one cannot
// overwrite the next.
func (m *Matcher) results(s *scratch) []Result {
	results := make([]Result, len(s.matched))
	for i, r := range s.matched {
		rule := &m.rules[r]
		start := len(s.terms)
		m.collect(s, rule.root, false)
		slices.Sort(s.terms[start:])
		s.terms = append(s.terms[:start], slices.Compact(s.terms[start:])...)
		results[i] = Result{Rule: rule.name}
		s.termEnds = append(s.termEnds, len(s.terms))
	}
	texts := make([]string, len(s.terms))
	for i, t := range s.terms {
		texts[i] = m.terms[t].text
	}
	start := 0
	for i, end := range s.termEnds {
		results[i].Terms = texts[start:end:end]
		start = end
	}
	return results
}

// findTerms runs the automaton over the scanned text (normalized, folded
// when the Matcher folds) and records in s every term that occurs with its
// word boundaries respected; an exact term also needs its own characters at
// that place of the normalized text. Folding keeps byte offsets, so the
// two texts line up.
func (m *Matcher) findTerms(s *scratch, normalized, scanned string) {
	m.ac.scan(scanned, func(p int32, end int) {
		for _, t := range m.patternTerms[m.patternStart[p]:m.patternStart[p+1]] {
			if s.termMark[t] == s.gen {
				continue
			}
			info := &m.terms[t]
			start := end - len(info.text)
			if !info.edges.fits(scanned, start, end) {
				continue
			}
			if info.exact && m.fold && normalized[start:end] != info.text {
				continue
			}
			s.termMark[t] = s.gen
			s.found = append(s.found, t)
		}
	})
}

// eval reports whether the program node n is true for the terms found.
func (m *Matcher) eval(s *scratch, n int32) bool {
	p := m.prog[n]
	switch p.op {
	case nodeTerm:
		return s.termMark[p.arg] == s.gen
	case nodeNot:
		return !m.eval(s, p.arg)
	case nodeAnd:
		for _, k := range m.kids[p.arg : p.arg+p.count] {
			if !m.eval(s, k) {
				return false
			}
		}
		return true
	default:
		for _, k := range m.kids[p.arg : p.arg+p.count] {
			if m.eval(s, k) {
				return true
			}
		}
		return false
	}
}

// collect appends to s.terms the non-negated terms that make node n hold,
// where n is known to evaluate to !negated. Under an AND that holds, or an
// OR that fails (negated), every operand counts; otherwise only the
// operands that have the same value as n do. One rule covers all four:
// follow the operands whose value agrees with n's.
func (m *Matcher) collect(s *scratch, n int32, negated bool) {
	p := m.prog[n]
	switch p.op {
	case nodeTerm:
		if !negated {
			s.terms = append(s.terms, p.arg)
		}
	case nodeNot:
		m.collect(s, p.arg, !negated)
	default:
		for _, k := range m.kids[p.arg : p.arg+p.count] {
			if m.eval(s, k) != negated {
				m.collect(s, k, negated)
			}
		}
	}
}
