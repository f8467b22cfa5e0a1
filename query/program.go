package query

// compiledRule is a rule as the Matcher evaluates it.
type compiledRule struct {
	name string
	root int32 // index into prog
	// need is a term without which the rule cannot hold (an operand of
	// its top-level AND, or the rule's only term), or -1. Most rules a
	// found term triggers fail for lack of another ANDed term; checking it
	// first is cheaper than evaluating.
	need int32
}

// progNode is an Expr node in a form cheap to evaluate: for nodeTerm, arg is
// the term index; for nodeAnd and nodeOr, the operands are
// kids[arg:arg+count]; for nodeNot, arg is the operand's index in prog.
type progNode struct {
	op    nodeKind
	arg   int32
	count int32
}

// compiler adds one rule's expression to a Matcher under construction.
type compiler struct {
	m         *Matcher
	termIndex map[termKey]int32
	// exact is the rule's Exact: its terms are the exact ones.
	exact bool
	// positive collects the rule's terms that occur without negation once
	// negations are pushed down to the terms.
	positive map[int32]bool
}

// add appends e's nodes to the program and returns the index of its root.
func (c *compiler) add(e Expr, negated bool) int32 {
	var n progNode
	switch x := e.(type) {
	case Term:
		t := c.termIndex[termKey{x.Text, c.exact}]
		if !negated {
			c.positive[t] = true
		}
		n = progNode{op: nodeTerm, arg: t}
	case Not:
		n = progNode{op: nodeNot, arg: c.add(x.Arg, !negated)}
	case And:
		n = progNode{op: nodeAnd, arg: c.addKids(x.Args, negated), count: int32(len(x.Args))}
	case Or:
		n = progNode{op: nodeOr, arg: c.addKids(x.Args, negated), count: int32(len(x.Args))}
	}
	c.m.prog = append(c.m.prog, n)
	return int32(len(c.m.prog) - 1)
}

// addKids adds the operands and then lists them contiguously in kids.
func (c *compiler) addKids(args []Expr, negated bool) int32 {
	idx := make([]int32, len(args))
	for i, a := range args {
		idx[i] = c.add(a, negated)
	}
	start := int32(len(c.m.kids))
	c.m.kids = append(c.m.kids, idx...)
	return start
}

// neededTerm returns a term that must be found for the node root to hold,
// or -1 when there is no single one (an OR, or an AND of groups).
func (m *Matcher) neededTerm(root int32) int32 {
	p := m.prog[root]
	switch p.op {
	case nodeTerm:
		return p.arg
	case nodeAnd:
		for _, k := range m.kids[p.arg : p.arg+p.count] {
			if m.prog[k].op == nodeTerm {
				return m.prog[k].arg
			}
		}
	}
	return -1
}
