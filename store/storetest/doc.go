// Package storetest is the one contract of the store interfaces the handlers and jobs use
// (handlers.PostStore, MatchStore, AlertStore, ThresholdStore, DeliveryStore, Silences,
// DigestMatches): one suite function per interface, run over every implementation (MySQL on
// real MariaDB and on the stand-in, the simulation's in-memory store, the handlers' test
// fakes), so that they cannot drift apart.
package storetest

import (
	"sync"
	"testing"
	"time"
)

// T0 is the suites' epoch: a fixed instant, second precision (DATETIME(6) keeps it exactly).
var T0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// Clock is the time a suite gives the store under test; it moves only when the suite says.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at T0.
func NewClock() *Clock { return &Clock{t: T0} }

// Now is the store's clock function.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func equalTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
