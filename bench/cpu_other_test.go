//go:build !linux

package bench

import (
	"context"
	"database/sql"
	"time"
)

// CPU time is read on Linux only; elsewhere the CPU metrics are left out.

func processCPU() (time.Duration, bool) { return 0, false }

func mysqlCPU(context.Context, *sql.DB) (time.Duration, bool) { return 0, false }

func hostBusy() (time.Duration, bool) { return 0, false }

func peakRSS() (int64, bool) { return 0, false }
