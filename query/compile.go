package query

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"groupwatch/textnorm"
)

// Rule is one alert rule: a name for the results and the query it matches.
type Rule struct {
	// Name identifies the rule in results; names must be unique and
	// non-empty.
	Name string
	// Expr is the rule's query, usually from Parse.
	Expr Expr
	// Exact matches the rule's terms only in the characters they are written in. By default
	// a term matches its Chinese variants too (see textnorm.FoldVariants): 相機 matches 相机.
	Exact bool
}

// Matcher finds which rules a post matches. It is built once by Compile and
// is safe for concurrent use by many goroutines.
type Matcher struct {
	ac *automaton
	// terms holds every distinct term of every rule, sorted by text (and
	// a folding term before an exact one of the same text), so that
	// sorting term indexes sorts texts.
	terms []termInfo
	// fold is set when any rule folds Chinese variants: the automaton's
	// patterns are then the terms' folded forms and it scans folded text.
	// With only exact rules it scans the text as it is.
	fold bool
	// patternStart and patternTerms list the terms of each automaton
	// pattern: the terms of pattern p are
	// patternTerms[patternStart[p]:patternStart[p+1]]. Several terms share
	// a pattern when they fold alike (相機, 相机) or differ only in exactness.
	patternStart []int32
	patternTerms []int32
	rules        []compiledRule
	// prog holds the operator nodes of all rules' expressions.
	prog []progNode
	// kids holds the operands of And and Or nodes, as indexes into prog.
	kids []int32
	// triggerStart and triggers index rules by the terms that occur in
	// them without negation: the rules for term t are
	// triggers[triggerStart[t]:triggerStart[t+1]], in rule order.
	triggerStart []int32
	triggers     []int32
	scratch      sync.Pool
}

type termInfo struct {
	// text is the term as its rule wrote it, in normalized form: what
	// results report.
	text string
	// exact says the term matches only text, not its variants.
	exact bool
	edges edges
}

// termKey identifies a distinct term.
type termKey struct {
	text  string
	exact bool
}

// denseBytes bounds the dense part of the automaton. 16 MiB holds every
// state down to a depth that ordinary text rarely gets past, for 10,000
// mixed English and Chinese rules.
const denseBytes = 16 << 20

// Compile builds one Matcher for all rules. Each rule's Expr is checked as
// Parse would check it (term text is normalized again, so an Expr built by
// hand may use any spelling), and an error names the first bad rule.
func Compile(rules []Rule) (*Matcher, error) {
	return compile(rules, denseBytes)
}

// compile is Compile with the automaton's dense budget as a parameter, so
// tests can force the sparse states into use on small rule sets.
func compile(rules []Rule, denseBytes int) (*Matcher, error) {
	exprs, err := canonicalRules(rules)
	if err != nil {
		return nil, err
	}
	m := &Matcher{}
	for _, r := range rules {
		m.fold = m.fold || !r.Exact
	}
	termIndex := m.indexTerms(exprs, rules)
	triggers := make([][]int32, len(m.terms))
	for i, e := range exprs {
		c := compiler{m: m, termIndex: termIndex, exact: rules[i].Exact, positive: map[int32]bool{}}
		root := c.add(e, false)
		m.rules = append(m.rules, compiledRule{name: rules[i].Name, root: root, need: m.neededTerm(root)})
		for t := range c.positive {
			triggers[t] = append(triggers[t], int32(i))
		}
	}
	m.triggerStart = make([]int32, len(m.terms)+1)
	for t, rs := range triggers {
		m.triggerStart[t+1] = m.triggerStart[t] + int32(len(rs))
		m.triggers = append(m.triggers, rs...)
	}
	if m.ac, err = newAutomaton(m.indexPatterns(), denseBytes); err != nil {
		return nil, err
	}
	m.scratch.New = func() any { return m.newScratch() }
	return m, nil
}

// canonicalRules checks the rules and returns their expressions in
// canonical form.
func canonicalRules(rules []Rule) ([]Expr, error) {
	exprs := make([]Expr, len(rules))
	names := map[string]bool{}
	for i, r := range rules {
		if r.Name == "" {
			return nil, fmt.Errorf("cannot compile rule %d: it has no name", i)
		}
		if names[r.Name] {
			return nil, fmt.Errorf("cannot compile rule %q: the name is used twice", r.Name)
		}
		names[r.Name] = true
		e, err := canonical(r.Expr)
		if err != nil {
			return nil, fmt.Errorf("cannot compile rule %q: %w", r.Name, err)
		}
		exprs[i] = e
	}
	return exprs, nil
}

// indexTerms fills m.terms with the distinct terms of exprs in text order
// and returns each term's index.
func (m *Matcher) indexTerms(exprs []Expr, rules []Rule) map[termKey]int32 {
	seen := map[termKey]bool{}
	var keys []termKey
	var exact bool
	var walk func(Expr)
	walk = func(e Expr) {
		switch x := e.(type) {
		case Term:
			if k := (termKey{x.Text, exact}); !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		case Not:
			walk(x.Arg)
		case And:
			for _, a := range x.Args {
				walk(a)
			}
		case Or:
			for _, a := range x.Args {
				walk(a)
			}
		}
	}
	for i, e := range exprs {
		exact = rules[i].Exact
		walk(e)
	}
	slices.SortFunc(keys, func(a, b termKey) int {
		if c := strings.Compare(a.text, b.text); c != 0 {
			return c
		}
		return cmp.Compare(b2i(a.exact), b2i(b.exact))
	})
	index := make(map[termKey]int32, len(keys))
	m.terms = make([]termInfo, len(keys))
	for i, k := range keys {
		index[k] = int32(i)
		m.terms[i] = termInfo{text: k.text, exact: k.exact, edges: termEdges(k.text)}
	}
	return index
}

// indexPatterns fills patternStart and patternTerms and returns the
// automaton's patterns: the distinct folded texts of the terms, or their
// texts when no rule folds. Folding keeps a term's length in bytes, so an
// occurrence of a pattern is an occurrence of each of its terms' folded
// forms at the same offsets.
func (m *Matcher) indexPatterns() []string {
	byPattern := map[string][]int32{}
	var patterns []string
	for i, t := range m.terms {
		p := t.text
		if m.fold {
			p = textnorm.FoldVariants(p)
		}
		if _, ok := byPattern[p]; !ok {
			patterns = append(patterns, p)
		}
		byPattern[p] = append(byPattern[p], int32(i))
	}
	m.patternStart = make([]int32, len(patterns)+1)
	m.patternTerms = make([]int32, 0, len(m.terms))
	for i, p := range patterns {
		m.patternTerms = append(m.patternTerms, byPattern[p]...)
		m.patternStart[i+1] = int32(len(m.patternTerms))
	}
	return patterns
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sizeBytes estimates the memory the compiled matcher holds.
func (m *Matcher) sizeBytes() int {
	n := m.ac.sizeBytes() + len(m.prog)*12 + len(m.kids)*4 + len(m.triggerStart)*4 + len(m.triggers)*4 +
		len(m.patternStart)*4 + len(m.patternTerms)*4
	for _, t := range m.terms {
		n += len(t.text) + 32
	}
	for _, r := range m.rules {
		n += len(r.name) + 32
	}
	return n
}
