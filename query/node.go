package query

// nodeKind is the kind of a parse-tree node.
type nodeKind uint8

const (
	nodeTerm nodeKind = iota
	nodeAnd
	nodeOr
	nodeNot
)

// node is the parse tree, which unlike Expr remembers the column each part
// started at, for error messages found after parsing.
type node struct {
	kind nodeKind
	col  int
	text string // nodeTerm only, normalized
	kids []*node
}

// expr converts the parse tree to its canonical Expr: nested ANDs and ORs
// are flattened and double negations cancel, so that different spellings
// of one query (and the canonical String of it) give equal Exprs.
func (n *node) expr() Expr {
	switch n.kind {
	case nodeTerm:
		return Term{Text: n.text}
	case nodeNot:
		x := n.kids[0].expr()
		if inner, ok := x.(Not); ok {
			return inner.Arg
		}
		return Not{Arg: x}
	case nodeAnd:
		var args []Expr
		for _, k := range n.kids {
			x := k.expr()
			if a, ok := x.(And); ok {
				args = append(args, a.Args...)
			} else {
				args = append(args, x)
			}
		}
		return And{Args: args}
	default:
		var args []Expr
		for _, k := range n.kids {
			x := k.expr()
			if o, ok := x.(Or); ok {
				args = append(args, o.Args...)
			} else {
				args = append(args, x)
			}
		}
		return Or{Args: args}
	}
}
