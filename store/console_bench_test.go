package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"groupwatch/internal/testenv"
	"groupwatch/queries"
	"groupwatch/store"
)

// BenchmarkThroughput is the overview chart's read (four GROUP BY minute counts over 3
// hours) on 20,000 posts and matches two days old and 500 inside the window, beside the
// baseline of one COUNT of the posts since the window's start (a scan of the table: the
// column has no index). Real MySQL only: the stand-in's figures say nothing about a server.
func BenchmarkThroughput(b *testing.B) {
	env := testenv.New(b)
	if !env.Real {
		b.Skip("needs real MySQL: set " + testenv.EnvMySQLDSN)
	}
	now := time.Now()
	clock := now.Add(-48 * time.Hour)
	var mu sync.Mutex
	s := store.New(env.DB(b), store.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }})
	b.Cleanup(s.Close)
	ctx := context.Background()
	write := func(from, to int) {
		var wg sync.WaitGroup
		work := make(chan int)
		for w := 0; w < 64; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					saved, err := s.SavePost(ctx, record(fmt.Sprint(i), fmt.Sprintf("post %d", i), fmt.Sprint(i)))
					if err == nil {
						err = s.SaveMatch(ctx, 1, saved.ID, []string{"post"})
					}
					if err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for i := from; i < to; i++ {
			work <- i
		}
		close(work)
		wg.Wait()
	}
	write(0, 20000)
	mu.Lock()
	clock = now
	mu.Unlock()
	write(20000, 20500)
	since := time.Now().Add(-3 * time.Hour)
	q := queries.New(env.DB(b))
	b.Run("baseline-count", func(b *testing.B) {
		for b.Loop() {
			if _, err := q.CountPostsSince(ctx, since); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("throughput", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Throughput(ctx, since); err != nil {
				b.Fatal(err)
			}
		}
	})
}
