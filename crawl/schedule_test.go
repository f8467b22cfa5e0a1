package crawl_test

import (
	"context"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/internal/testenv"
)

func TestScheduleAlignsTicks(t *testing.T) {
	next, err := crawl.Schedule(config.Source{Name: "a", Every: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 10, 7, 0, 0, time.UTC)
	if got := next(at); !got.Equal(time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC)) {
		t.Fatalf("every 15m after 10:07: %s", got)
	}
	next, err = crawl.Schedule(config.Source{Name: "b", Cron: "0 7-23 * * *"})
	if err != nil {
		t.Fatal(err)
	}
	if got := next(time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("cron after 23:30: %s", got)
	}
}

// Two schedulers at once never publish the same tick twice; killing the leader hands over
// within the lease time, and the newest tick missed meanwhile is published by the new leader.
func TestTwoSchedulersOneLeaderAndHandOver(t *testing.T) {
	newClient, prefix := testenv.ExpiringRedis(t)
	const every, ttl = 200 * time.Millisecond, 600 * time.Millisecond

	var mu sync.Mutex
	published := map[string]int{}
	var ticks []time.Time
	inflight := crawl.Inflight{Redis: newClient(), Prefix: prefix}
	publisher := func(ctx context.Context, j crawl.Job) error {
		mu.Lock()
		defer mu.Unlock()
		published[j.ID]++
		ticks = append(ticks, j.Tick)
		return inflight.Release(ctx, j) // crawled at once
	}
	newScheduler := func(name string) *crawl.Scheduler {
		return &crawl.Scheduler{
			Redis: newClient(), Prefix: prefix, Instance: name, LeaseTTL: ttl, Interval: 20 * time.Millisecond,
			Sources: []config.Source{{Name: "src", Every: every}}, Publish: publisher,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
	}
	a, b := newScheduler("a"), newScheduler("b")
	ctxA, killA := context.WithCancel(context.Background())
	ctxB, stopB := context.WithCancel(context.Background())
	doneA, doneB := make(chan struct{}), make(chan struct{})
	go func() { a.Run(ctxA); close(doneA) }()
	time.Sleep(50 * time.Millisecond) // a is the first leader
	go func() { b.Run(ctxB); close(doneB) }()

	time.Sleep(time.Second)
	// Kill a the hard way: its connection goes, so it neither renews nor releases the
	// lease, which lapses after the TTL, as with a process killed with -9.
	a.Redis.Close()
	killA()
	killed := time.Now()
	<-doneA
	time.Sleep(1500 * time.Millisecond)
	stopB()
	<-doneB

	mu.Lock()
	defer mu.Unlock()
	for id, n := range published {
		if n != 1 {
			t.Fatalf("job %s published %d times", id, n)
		}
	}
	sort.Slice(ticks, func(i, j int) bool { return ticks[i].Before(ticks[j]) })
	for i := 1; i < len(ticks); i++ {
		if gap := ticks[i].Sub(ticks[i-1]); gap <= 0 || gap%every != 0 || (gap != every && gap > 2*ttl+every) {
			t.Fatalf("ticks %s and %s: %s apart, want whole ticks, and none skipped but during the hand-over", ticks[i-1], ticks[i], gap)
		}
	}
	last := ticks[len(ticks)-1]
	if last.Before(killed.Add(ttl)) {
		t.Fatalf("no tick after the hand-over: last %s, leader killed at %s", last, killed)
	}
}
