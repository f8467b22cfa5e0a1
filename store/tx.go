package store

import (
	"context"
	"errors"
	"fmt"

	"groupwatch/queries"
)

// inTx runs fn on queries bound to one transaction, committed when fn returns nil and rolled
// back otherwise: writes that belong together (a day of the ETL, a rule sync) land together
// or not at all.
func (s *Store) inTx(ctx context.Context, what string, fn func(q *queries.Queries) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cannot begin transaction to %s: %w", what, classify(err))
	}
	q := s.q.WithTx(tx)
	if s.txFault != nil {
		q = queries.New(s.txFault(tx))
	}
	if err := fn(q); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil {
			return errors.Join(err, fmt.Errorf("cannot roll back transaction to %s: %w", what, rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cannot commit transaction to %s: %w", what, classify(err))
	}
	return nil
}
