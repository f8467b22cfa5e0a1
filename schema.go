// Package groupwatch holds the database schema, embedded so the binary can apply it.
package groupwatch

import _ "embed"

// Schema is schema.sql: the one schema, for MySQL 8 and MariaDB 10.11.
//
//go:embed schema.sql
var Schema string
