//go:build unix

package query

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, user and system. On a machine
// shared with other work, throughput by CPU time is steadier than by the wall clock, which
// counts the time the benchmark waited for a core.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
