package query

import "groupwatch/textnorm"

// maxDepth bounds the nesting of groups and negations, so a hostile query
// cannot make the parser or the evaluator recurse without limit.
const maxDepth = 100

// Parse parses a query (see the package documentation for the language)
// into its canonical Expr. Errors are *SyntaxError values that point at the
// column where the problem is. Groups and negations may nest at most
// maxDepth (100) deep.
func Parse(q string) (Expr, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := parser{toks: toks}
	if p.peek().kind == tokEOF {
		return nil, errorAt(1, "empty query")
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		// parseOr stops only at EOF or a ')' it did not open.
		return nil, errorAt(t.col, "unbalanced parenthesis: ')' has no matching '('")
	}
	if err := checkAnchored(n); err != nil {
		return nil, err
	}
	return n.expr(), nil
}

// Validate reports whether q is a valid query; it is Parse without the
// result.
func Validate(q string) error {
	_, err := Parse(q)
	return err
}

// parser is a recursive-descent parser over the tokens of one query.
type parser struct {
	toks  []token
	pos   int
	depth int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// parseOr parses: and { OR and }.
func (p *parser) parseOr() (*node, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	n := first
	for p.peek().kind == tokOr {
		op := p.next()
		if err := p.operandAfter(op); err != nil {
			return nil, err
		}
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if n == first {
			n = &node{kind: nodeOr, col: first.col, kids: []*node{first}}
		}
		n.kids = append(n.kids, right)
	}
	return n, nil
}

// parseAnd parses: unary { [AND] unary }.
func (p *parser) parseAnd() (*node, error) {
	if err := p.operandHere(); err != nil {
		return nil, err
	}
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	n := first
	for {
		t := p.peek()
		if t.kind == tokAnd {
			p.next()
			if err := p.operandAfter(t); err != nil {
				return nil, err
			}
		} else if !t.kind.startsOperand() {
			return n, nil
		}
		right, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if n == first {
			n = &node{kind: nodeAnd, col: first.col, kids: []*node{first}}
		}
		n.kids = append(n.kids, right)
	}
}

// parseUnary parses: { NOT | '-' } primary.
func (p *parser) parseUnary() (*node, error) {
	t := p.peek()
	if t.kind != tokNot && t.kind != tokMinus {
		return p.parsePrimary()
	}
	p.next()
	if err := p.operandAfter(t); err != nil {
		return nil, err
	}
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &node{kind: nodeNot, col: t.col, kids: []*node{x}}, nil
}

// parsePrimary parses a word, a phrase or a parenthesised group.
func (p *parser) parsePrimary() (*node, error) {
	t := p.next()
	switch t.kind {
	case tokWord, tokPhrase:
		text := textnorm.Normalize(t.text)
		switch {
		case text == "" && t.kind == tokPhrase:
			return nil, errorAt(t.col, "empty phrase")
		case text == "":
			return nil, errorAt(t.col, "term has only invisible characters")
		case hasQuote(text):
			return nil, errorAt(t.col, "term contains a quote character")
		}
		return &node{kind: nodeTerm, col: t.col, text: text}, nil
	case tokLParen:
		switch p.peek().kind {
		case tokRParen:
			return nil, errorAt(t.col, "empty group")
		case tokEOF:
			return nil, errorAt(t.col, "unbalanced parenthesis: '(' is never closed")
		}
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.next().kind != tokRParen {
			return nil, errorAt(t.col, "unbalanced parenthesis: '(' is never closed")
		}
		return n, nil
	}
	// Callers check operandHere or operandAfter first.
	panic("query: parsePrimary called on a token that starts no operand")
}

// operandHere returns an error when the next token cannot begin the first
// operand of an AND or OR.
func (p *parser) operandHere() error {
	t := p.peek()
	switch t.kind {
	case tokOr:
		return errorAt(t.col, "OR needs a term on both sides")
	case tokAnd:
		return errorAt(t.col, "AND needs a term on both sides")
	case tokRParen:
		return errorAt(t.col, "unbalanced parenthesis: ')' has no matching '('")
	case tokEOF:
		// Parse and parsePrimary report an empty query or group before
		// getting here; this guards the grammar against later changes.
		return errorAt(t.col, "unexpected end of query")
	}
	return nil
}

// operandAfter returns an error when the operator op is not followed by
// something it can apply to.
func (p *parser) operandAfter(op token) error {
	if p.peek().kind.startsOperand() {
		return nil
	}
	switch op.kind {
	case tokOr:
		return errorAt(op.col, "OR needs a term on both sides")
	case tokAnd:
		return errorAt(op.col, "AND needs a term on both sides")
	case tokNot:
		return errorAt(op.col, "NOT needs a term, phrase or group after it")
	default:
		return errorAt(op.col, "'-' needs a term, phrase or group after it")
	}
}

func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > maxDepth {
		return errorAt(t.col, "query nests too deeply")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }
