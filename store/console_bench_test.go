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
// hours) on 20,000 posts and matches, beside the baseline of one COUNT over the same posts.
// Real MySQL only: the stand-in's figures say nothing about a server.
func BenchmarkThroughput(b *testing.B) {
	env := testenv.New(b)
	if !env.Real {
		b.Skip("needs real MySQL: set " + testenv.EnvMySQLDSN)
	}
	s := store.New(env.DB(b), store.Options{})
	b.Cleanup(s.Close)
	ctx := context.Background()
	const n = 20000
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
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
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
