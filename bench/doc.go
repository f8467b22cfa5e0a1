// Package bench holds the end-to-end and baseline benchmarks (docs/benchmarks.md): the
// pipeline against real servers or the stand-ins, and the same work done by plain Redis and
// MySQL clients, so every figure is a ratio to a baseline measured in the same run.
package bench
