package clock

import (
	"context"
	"testing"
	"time"
)

// A sleeper wakes when the clock passes its deadline, not before, and not on the wall clock.
func TestFakeWakesSleepersWhenAdvancedPastTheirTime(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	f := NewFake(t0)
	ctx := context.Background()
	woke := make(chan bool, 1)
	go func() { woke <- f.Sleep(ctx, time.Minute) }()
	if !f.WaitForSleepers(ctx, 1) {
		t.Fatal("no sleeper")
	}
	f.Advance(59 * time.Second)
	select {
	case <-woke:
		t.Fatal("woke 1s early")
	case <-time.After(20 * time.Millisecond):
	}
	f.Advance(time.Second)
	if ok := <-woke; !ok {
		t.Fatal("Sleep reported its context ended")
	}
	if got := f.Now(); !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Now %s, want %s", got, t0.Add(time.Minute))
	}
	if n := f.Sleepers(); n != 0 {
		t.Fatalf("%d sleepers left", n)
	}
}

// A sleeper whose context ends returns false and leaves the clock.
func TestFakeSleepEndsWithItsContext(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool, 1)
	go func() { done <- f.Sleep(ctx, time.Hour) }()
	f.WaitForSleepers(context.Background(), 1)
	cancel()
	if ok := <-done; ok {
		t.Fatal("Sleep reported the hour passed")
	}
	if n := f.Sleepers(); n != 0 {
		t.Fatalf("%d sleepers left", n)
	}
}

func TestSpread(t *testing.T) {
	for _, c := range []struct {
		lo, hi, r float64
		want      time.Duration
	}{{0.8, 1.2, 0, 80 * time.Second}, {0.8, 1.2, 0.5, 100 * time.Second}, {1, 1.5, 0.999, 149950 * time.Millisecond}} {
		if got := Spread(100*time.Second, c.lo, c.hi, c.r); got != c.want {
			t.Errorf("Spread(100s, %v, %v, %v) = %s, want %s", c.lo, c.hi, c.r, got, c.want)
		}
	}
	for range 100 {
		if d := Jitter(time.Second, 0.8, 1.2); d < 800*time.Millisecond || d >= 1200*time.Millisecond {
			t.Fatalf("Jitter(1s, 0.8, 1.2) = %s, outside [0.8s, 1.2s)", d)
		}
	}
}
