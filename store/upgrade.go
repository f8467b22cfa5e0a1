package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// columnUpgrade changes a column of a database made by an older schema.sql, whose
// CREATE TABLE IF NOT EXISTS left an existing table as it was. They run as migration 2
// (store/migrate.go), for databases adopted from before migrations were versioned.
type columnUpgrade struct {
	table, column string
	// dataType is information_schema's DATA_TYPE once the upgrade is done.
	dataType string
	// alter brings the table there. It runs only when the column has another type: on a
	// database that already has it, an ALTER would still rebuild the table.
	alter string
	why   string
}

// columnUpgrades in the order they apply.
var columnUpgrades = []columnUpgrade{{
	table: "posts", column: "external_id", dataType: "varbinary",
	// Both key columns at once: one table rebuild. Bytes are kept as they are, and since a
	// binary comparison tells more values apart, never fewer, no unique key can break.
	alter: "ALTER TABLE posts MODIFY source VARBINARY(764) NOT NULL, MODIFY external_id VARBINARY(764) NOT NULL",
	why:   "post ids compare byte for byte ('42' and '42 ' are two posts)",
}}

// upgradeColumns applies each upgrade the database still needs.
func upgradeColumns(ctx context.Context, db *sql.Tx) error {
	for _, u := range columnUpgrades {
		var got string
		err := db.QueryRowContext(ctx,
			"SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?",
			u.table, u.column).Scan(&got)
		if err != nil {
			return fmt.Errorf("cannot read the type of %s.%s: %w", u.table, u.column, err)
		}
		if strings.EqualFold(got, u.dataType) {
			continue
		}
		if _, err := db.ExecContext(ctx, u.alter); err != nil {
			return fmt.Errorf("cannot upgrade %s.%s (%s): %w", u.table, u.column, u.why, err)
		}
	}
	return nil
}
