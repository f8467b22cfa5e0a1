package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"

	"groupwatch/handlers"
)

// MySQL error numbers that no retry can fix: the values, the statement's size or a
// constraint is wrong, not the server's health. Retrying one stalls a consumer forever.
var dataErrors = map[uint16]string{
	1048: "column cannot be null",
	1062: "duplicate key",
	1153: "packet larger than max_allowed_packet",
	1264: "out of range value",
	1292: "incorrect datetime value",
	1366: "incorrect string value (not valid for the column's character set)",
	1390: "too many placeholders in one statement",
	1406: "data too long for the column",
	1451: "a row still refers to this one",
	1452: "refers to a row that does not exist",
	3140: "invalid JSON",
	3819: "check constraint violated",
	4025: "check constraint violated",
}

// IsDataError says whether err is MySQL refusing the statement for what it holds, as
// opposed to MySQL being unreachable or busy.
func IsDataError(err error) bool {
	if errors.Is(err, mysql.ErrPktTooLarge) {
		return true // the driver's own refusal, before anything is sent
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	// go-mysql-server (the stand-in) reports an over-long value as a generic 1105.
	return dataErrors[me.Number] != "" || (me.Number == 1105 && strings.Contains(me.Message, "too large for column"))
}

// classify marks errors no retry can fix permanent, saying what MySQL meant; everything
// else stays transient and is retried.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if IsDataError(err) {
		var me *mysql.MySQLError
		if errors.As(err, &me) && dataErrors[me.Number] != "" {
			return handlers.Permanent(fmt.Errorf("rejected by MySQL (%s): %w", dataErrors[me.Number], err))
		}
		return handlers.Permanent(fmt.Errorf("rejected by MySQL: %w", err))
	}
	return err
}
