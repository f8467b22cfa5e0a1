package query

import (
	"fmt"
	"slices"
	"sync"
)

// Rule is one alert rule: a name for the results and the query it matches.
type Rule struct {
	// Name identifies the rule in results; names must be unique and
	// non-empty.
	Name string
	// Expr is the rule's query, usually from Parse.
	Expr Expr
}

// Matcher finds which rules a post matches. It is built once by Compile and
// is safe for concurrent use by many goroutines.
type Matcher struct {
	ac *automaton
	// terms holds every distinct term of every rule, sorted by text, so
	// that sorting term indexes sorts texts; a term's index is its
	// automaton pattern number.
	terms []termInfo
	rules []compiledRule
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
	text  string
	edges edges
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
	termIndex := m.indexTerms(exprs)
	triggers := make([][]int32, len(m.terms))
	for i, e := range exprs {
		c := compiler{m: m, termIndex: termIndex, positive: map[int32]bool{}}
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
	patterns := make([]string, len(m.terms))
	for i, t := range m.terms {
		patterns[i] = t.text
	}
	if m.ac, err = newAutomaton(patterns, denseBytes); err != nil {
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
// and returns each text's index.
func (m *Matcher) indexTerms(exprs []Expr) map[string]int32 {
	seen := map[string]bool{}
	var texts []string
	var walk func(Expr)
	walk = func(e Expr) {
		switch x := e.(type) {
		case Term:
			if !seen[x.Text] {
				seen[x.Text] = true
				texts = append(texts, x.Text)
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
	for _, e := range exprs {
		walk(e)
	}
	slices.Sort(texts)
	index := make(map[string]int32, len(texts))
	m.terms = make([]termInfo, len(texts))
	for i, t := range texts {
		index[t] = int32(i)
		m.terms[i] = termInfo{text: t, edges: termEdges(t)}
	}
	return index
}

// sizeBytes estimates the memory the compiled matcher holds.
func (m *Matcher) sizeBytes() int {
	n := m.ac.sizeBytes() + len(m.prog)*12 + len(m.kids)*4 + len(m.triggerStart)*4 + len(m.triggers)*4
	for _, t := range m.terms {
		n += len(t.text) + 24
	}
	for _, r := range m.rules {
		n += len(r.name) + 32
	}
	return n
}
