package pipeline

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"groupwatch/clock"
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
// of the kinds: while the slow kind is busy, the other passes once per interval of the
// (fake) clock.
func TestSlowKindDelaysNoOtherKindsRetries(t *testing.T) {
	const every = time.Second
	for _, slowFirst := range []bool{true, false} {
		name := map[bool]string{true: "slow kind first", false: "slow kind last"}[slowFirst]
		t.Run(name, func(t *testing.T) {
			slow := slowKind{release: make(chan struct{})}
			fast := fastKind{passes: &atomic.Int32{}}
			retriers := []dueRetrier{slow, fast}
			if !slowFirst {
				retriers = []dueRetrier{fast, slow}
			}
			clk := clock.NewFake(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
			discard := slog.New(slog.NewTextHandler(io.Discard, nil))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); retryEachKind(ctx, clk, retriers, []*slog.Logger{discard, discard}, every) }()
			defer func() { cancel(); <-done }()

			// The fast kind passes once, then sleeps; each interval the clock moves, it
			// passes again, while the slow kind still holds its first pass.
			wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			const intervals = 5
			for i := range intervals {
				if !clk.WaitForSleepers(wait, 1) {
					t.Fatalf("the other kind made %d retry passes and is not waiting for the next: held back by the slow kind", fast.passes.Load())
				}
				if got := fast.passes.Load(); got != int32(i+1) {
					t.Fatalf("after %d intervals the other kind made %d passes, want %d", i, got, i+1)
				}
				clk.Advance(every)
			}
			if !clk.WaitForSleepers(wait, 1) {
				t.Fatal("the other kind stopped passing")
			}
			if got := fast.passes.Load(); got != intervals+1 {
				t.Fatalf("after %d intervals the other kind made %d passes, want %d", intervals, got, intervals+1)
			}
			close(slow.release)
		})
	}
}
