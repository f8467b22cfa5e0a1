// Package simulate runs one rule over stored posts through the pipeline's own match and
// evaluate code, on a simulated clock (each post's first sight) and an in-memory state
// (Memory) that cannot see or change live alerts, rule events or rule states. It is the one
// simulation behind `pipeline rules test` (which prints what it decided) and `pipeline
// backfill` (which writes what it decided through the real store).
package simulate
