package pipeline

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// slowKind is a notifier kind whose retries take long (50 Slack retries paced at one a
// second): its RetryDue returns only when released or stopped.
type slowKind struct{ release chan struct{} }

func (s slowKind) RetryDue(ctx context.Context, limit int) (int, error) {
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return limit, nil
}

// fastKind counts its passes; it has nothing due.
type fastKind struct{ passes *atomic.Int32 }

func (f fastKind) RetryDue(context.Context, int) (int, error) {
	f.passes.Add(1)
	return 0, nil
}

// A kind whose retries are slow holds no other kind's due retries back, whatever the order
// of the kinds.
func TestSlowKindDelaysNoOtherKindsRetries(t *testing.T) {
	const every = 10 * time.Millisecond
	for _, slowFirst := range []bool{true, false} {
		name := map[bool]string{true: "slow kind first", false: "slow kind last"}[slowFirst]
		t.Run(name, func(t *testing.T) {
			slow := slowKind{release: make(chan struct{})}
			fast := fastKind{passes: &atomic.Int32{}}
			retriers := []dueRetrier{slow, fast}
			if !slowFirst {
				retriers = []dueRetrier{fast, slow}
			}
			discard := slog.New(slog.NewTextHandler(io.Discard, nil))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); retryEachKind(ctx, retriers, []*slog.Logger{discard, discard}, every) }()
			defer func() { cancel(); <-done }()

			// While the slow kind is busy, the other passes every interval.
			deadline := time.Now().Add(2 * time.Second)
			for fast.passes.Load() < 5 {
				if time.Now().After(deadline) {
					t.Fatalf("the other kind made %d retry passes in 2s while the slow kind was busy, want 5 (one per %s)", fast.passes.Load(), every)
				}
				time.Sleep(every)
			}
			close(slow.release)
		})
	}
}
