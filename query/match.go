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
// grows with the number of rules.
func (m *Matcher) Match(normalized string) []Result {
	s := m.scratch.Get().(*scratch)
	defer m.scratch.Put(s)
	s.reset()
	m.findTerms(s, normalized)
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

// findTerms runs the automaton over text and records in s every term that
// occurs with its word boundaries respected.
func (m *Matcher) findTerms(s *scratch, text string) {
	m.ac.scan(text, func(t int32, end int) {
		if s.termMark[t] == s.gen {
			return
		}
		if info := &m.terms[t]; info.edges.fits(text, end-len(info.text), end) {
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
