// Package queries is the SQL of groupwatch: the statements written by hand in *.sql, the Go
// sqlc generates from them (*.gen.go, never edited), and the one batched statement sqlc
// cannot express (batch.go). Only package store imports it.
package queries
