// Package groupwatch holds schema.sql, the whole current schema, embedded so tests can hold
// the versioned migrations (store/migrations) equal to it.
package groupwatch

import _ "embed"

// Schema is schema.sql: the whole current schema, for MySQL 8 and MariaDB 10.11.
//
//go:embed schema.sql
var Schema string
