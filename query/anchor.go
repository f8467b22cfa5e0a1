package query

// The Matcher only evaluates a rule once one of its non-negated terms has
// been found in a post. That is only correct for queries that cannot be true
// without such a term; checkAnchored rejects the others ("-foo",
// "a OR -b"), which would otherwise silently never match.

// checkAnchored returns a *SyntaxError if n can be true while none of its
// non-negated terms occurs.
func checkAnchored(n *node) error {
	col := unanchored(n, false)
	if col == 0 {
		return nil
	}
	if !hasPositiveTerm(n, false) {
		return errorAt(1, "query needs at least one term that is not negated")
	}
	return errorAt(col, "this OR alternative needs at least one term that is not negated")
}

// unanchored returns 0 if n (negated when negated is set) can only be true
// when some term that occurs positively is found; otherwise the column of
// the part of n responsible.
//
// Negation is pushed down by De Morgan: a negated AND behaves as an OR of
// negations and a negated OR as an AND of them. An AND is anchored when any
// operand is, an OR only when every alternative is. The check is
// conservative: an OR alternative that can never be true ("b -b") is still
// rejected.
func unanchored(n *node, negated bool) int {
	switch n.kind {
	case nodeTerm:
		if negated {
			return n.col
		}
		return 0
	case nodeNot:
		if unanchored(n.kids[0], !negated) != 0 {
			return n.col
		}
		return 0
	}
	if (n.kind == nodeAnd) != negated { // behaves as AND
		for _, k := range n.kids {
			if unanchored(k, negated) == 0 {
				return 0
			}
		}
		return n.col
	}
	for _, k := range n.kids { // behaves as OR
		if col := unanchored(k, negated); col != 0 {
			return col
		}
	}
	return 0
}

// hasPositiveTerm reports whether any term of n occurs without negation
// once negations are pushed down to the terms.
func hasPositiveTerm(n *node, negated bool) bool {
	switch n.kind {
	case nodeTerm:
		return !negated
	case nodeNot:
		return hasPositiveTerm(n.kids[0], !negated)
	}
	for _, k := range n.kids {
		if hasPositiveTerm(k, negated) {
			return true
		}
	}
	return false
}
