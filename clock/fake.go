package clock

import (
	"context"
	"sync"
	"time"
)

// Fake is a clock that moves only when told (Advance). Sleepers wake when the clock passes
// their deadline, or when their context ends.
type Fake struct {
	mu       sync.Mutex
	now      time.Time
	sleepers map[*sleeper]struct{}
	changed  chan struct{} // closed and replaced whenever the set of sleepers changes
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

// NewFake starts at t.
func NewFake(t time.Time) *Fake {
	return &Fake{now: t, sleepers: map[*sleeper]struct{}{}, changed: make(chan struct{})}
}

// Now is the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep waits until the clock has been advanced by d, or ctx ends.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) bool {
	f.mu.Lock()
	if d <= 0 {
		f.mu.Unlock()
		return ctx.Err() == nil
	}
	s := &sleeper{until: f.now.Add(d), wake: make(chan struct{})}
	f.sleepers[s] = struct{}{}
	f.notifyLocked()
	f.mu.Unlock()
	select {
	case <-s.wake:
		return true
	case <-ctx.Done():
		f.mu.Lock()
		delete(f.sleepers, s)
		f.notifyLocked()
		f.mu.Unlock()
		return false
	}
}

// Advance moves the clock forward by d and wakes the sleepers whose time has come.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	for s := range f.sleepers {
		if !f.now.Before(s.until) {
			close(s.wake)
			delete(f.sleepers, s)
		}
	}
	f.notifyLocked()
}

// Sleepers is how many goroutines sleep on the clock now.
func (f *Fake) Sleepers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sleepers)
}

// WaitForSleepers blocks until at least n goroutines sleep on the clock, or ctx ends (then
// false): a test advances the clock once the code under test waits on it, not before.
func (f *Fake) WaitForSleepers(ctx context.Context, n int) bool {
	for {
		f.mu.Lock()
		count, changed := len(f.sleepers), f.changed
		f.mu.Unlock()
		if count >= n {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

func (f *Fake) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}
