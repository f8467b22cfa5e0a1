package leader_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/internal/testenv"
	"groupwatch/leader"
)

const ttl = 300 * time.Millisecond

// witness records which instance runs a step when, and fails the test if two overlap.
type witness struct {
	t       *testing.T
	mu      sync.Mutex
	running string
	steps   map[string]int
	ended   map[string]chan struct{} // closed when that instance's step saw its context end
}

func newWitness(t *testing.T) *witness {
	return &witness{t: t, steps: map[string]int{}, ended: map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{})}}
}

// step runs for hold, or until ctx ends, as instance name.
func (w *witness) step(name string, hold time.Duration) func(ctx context.Context) {
	return func(ctx context.Context) {
		w.mu.Lock()
		if w.running != "" {
			w.t.Errorf("%s started a step while %s was still running one: two leaders", name, w.running)
		}
		w.running = name
		w.steps[name]++
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			w.mu.Lock()
			select {
			case <-w.ended[name]:
			default:
				close(w.ended[name])
			}
			w.mu.Unlock()
		case <-time.After(hold):
		}
		w.mu.Lock()
		w.running = ""
		w.mu.Unlock()
	}
}

func (w *witness) count(name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.steps[name]
}

func start(t *testing.T, client *redis.Client, prefix, name string, step func(context.Context)) (stop func()) {
	j := &leader.Jobs{
		Lease:    leader.Lease{Redis: client, Key: prefix + "leader.lease", Instance: name, TTL: ttl},
		Interval: 10 * time.Millisecond, Step: step,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); j.Run(ctx) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A step running for several lease times keeps the lease, renewed apart from it: the second
// instance starts nothing meanwhile.
func TestLongStepKeepsTheLease(t *testing.T) {
	newClient, prefix := testenv.ExpiringRedis(t)
	w := newWitness(t)
	start(t, newClient(), prefix, "a", w.step("a", 4*ttl))
	waitFor(t, "a leads", 2*time.Second, func() bool { return w.count("a") > 0 })
	start(t, newClient(), prefix, "b", w.step("b", 0))
	time.Sleep(3 * ttl)
	if n := w.count("b"); n != 0 {
		t.Fatalf("b stepped %d times while a's long step held the lease", n)
	}
}

// A leader that loses its lease (taken from it, as after a pause longer than the TTL) has
// its step's context ended at its next renewal.
func TestLostLeaseEndsTheStep(t *testing.T) {
	newClient, prefix := testenv.ExpiringRedis(t)
	w := newWitness(t)
	start(t, newClient(), prefix, "a", w.step("a", time.Hour))
	waitFor(t, "a leads", 2*time.Second, func() bool { return w.count("a") > 0 })
	admin := newClient()
	if err := admin.Set(context.Background(), prefix+"leader.lease", "someone-else", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.ended["a"]:
	case <-time.After(ttl):
		t.Fatalf("a's step still running %s after its lease was lost", ttl)
	}
}

// Hand-over: a leader stopped gives the lease up and the other takes over at once; a leader
// killed (its connection gone, no release) is replaced once its lease lapses, and its step
// ends before its lease does, so the two never overlap.
func TestHandOver(t *testing.T) {
	for _, kill := range []bool{false, true} {
		name := map[bool]string{false: "stopped", true: "killed"}[kill]
		t.Run(name, func(t *testing.T) {
			newClient, prefix := testenv.ExpiringRedis(t)
			w := newWitness(t)
			clientA := newClient()
			stopA := start(t, clientA, prefix, "a", w.step("a", time.Hour))
			waitFor(t, "a leads", 2*time.Second, func() bool { return w.count("a") > 0 })
			start(t, newClient(), prefix, "b", w.step("b", 0))
			time.Sleep(ttl)
			if w.count("b") != 0 {
				t.Fatal("b stepped while a led")
			}
			began := time.Now()
			if kill {
				clientA.Close()
			} else {
				stopA()
			}
			waitFor(t, "b takes over", 4*ttl, func() bool { return w.count("b") > 0 })
			if !kill && time.Since(began) > ttl {
				t.Fatalf("b took over after %s: a's release did not hand over at once", time.Since(began))
			}
		})
	}
}
