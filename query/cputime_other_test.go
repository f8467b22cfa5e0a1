//go:build !unix

package query

import "time"

// processCPU is not measured here: benchmarks then report wall-clock figures only.
func processCPU() (time.Duration, bool) { return 0, false }
