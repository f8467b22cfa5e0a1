package query

import (
	"errors"
	"fmt"
)

// canonical returns e in the form Parse gives, with the checks Parse makes,
// by printing it and parsing it again: the canonical form is guaranteed to
// read back as the same expression, and an Expr built by hand gets its
// terms normalized and its negations checked like a typed query.
func canonical(e Expr) (Expr, error) {
	if err := checkBuiltByHand(e); err != nil {
		return nil, err
	}
	return Parse(e.String())
}

// checkBuiltByHand rejects what String cannot print faithfully: missing
// operands, and terms containing quotes, which would change meaning when
// read back.
func checkBuiltByHand(e Expr) error {
	switch x := e.(type) {
	case nil:
		return errors.New("expression is missing")
	case Term:
		if hasQuote(x.Text) {
			return fmt.Errorf("term %q contains a quote character", x.Text)
		}
	case Not:
		return checkBuiltByHand(x.Arg)
	case And:
		return checkAll(x.Args)
	case Or:
		return checkAll(x.Args)
	default:
		return fmt.Errorf("unknown expression type %T", e)
	}
	return nil
}

func checkAll(args []Expr) error {
	if len(args) == 0 {
		return errors.New("AND or OR has no operands")
	}
	for _, a := range args {
		if err := checkBuiltByHand(a); err != nil {
			return err
		}
	}
	return nil
}
