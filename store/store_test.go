package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	env := testenv.New(t)
	t.Logf("store test on %s", env)
	// Two writers where the database takes them, so the routing of posts to writers is
	// tested too.
	opts := store.Options{Writers: 2}
	if env.Embedded {
		opts.Writers = 1
	}
	s := store.New(env.DB(t), opts)
	t.Cleanup(s.Close)
	return s
}

func record(id, text, msg string) handlers.PostRecord {
	return handlers.PostRecord{
		Source: "fb:g", ExternalID: id, Author: "陳大文", Text: text,
		ContentHash: handlers.ContentHash(text), Raw: []byte(`{"x":1}`), MessageID: msg,
	}
}

// The outcomes of SavePost (new, repeated, edited, a redelivery) are the contract's
// (store/storetest, run over this store in contract_test.go); this checks the row it keeps.
func TestSavePostKeepsTheLatestEdit(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, rec := range []handlers.PostRecord{record("1", "hello", "m1"), record("1", "hello, edited", "m2")} {
		if _, err := s.SavePost(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	post, err := s.Queries().GetPost(ctx, store.GetPostParamsFor("fb:g", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if post.Text != "hello, edited" || post.Edits != 1 || post.Author != "陳大文" {
		t.Fatalf("stored post: %+v", post)
	}
}

func TestSavePostConcurrentBatches(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	const posts, copies = 60, 3
	type result struct {
		id      string
		saved   handlers.SavedPost
		err     error
		copyNum int
	}
	results := make(chan result, posts*copies)
	var wg sync.WaitGroup
	for c := 0; c < copies; c++ {
		for i := 0; i < posts; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprint(i)
				// Each copy is another message carrying the same text.
				saved, err := s.SavePost(ctx, record(id, "text "+id, fmt.Sprintf("m%d-%d", i, c)))
				results <- result{id, saved, err, c}
			}()
		}
	}
	wg.Wait()
	close(results)
	news := map[string]int{}
	ids := map[string]int64{}
	for r := range results {
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.saved.ID == 0 {
			t.Fatalf("post %s: no id (%s)", r.id, r.saved.Outcome)
		}
		if prev, ok := ids[r.id]; ok && prev != r.saved.ID {
			t.Fatalf("post %s: two ids %d and %d", r.id, prev, r.saved.ID)
		}
		ids[r.id] = r.saved.ID
		if r.saved.Outcome == handlers.OutcomeNew {
			news[r.id]++
		}
	}
	for i := 0; i < posts; i++ {
		if n := news[fmt.Sprint(i)]; n != 1 {
			t.Fatalf("post %d: %d copies were new, want exactly 1", i, n)
		}
	}
	n, err := s.Queries().CountPosts(ctx)
	if err != nil || n != posts {
		t.Fatalf("stored %d posts, want %d (%v)", n, posts, err)
	}
}

func TestSavePostBadRowLosesNothingElse(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	bad := record("bad", "x", "mb")
	bad.Author = strings.Repeat("a", 300) // VARCHAR(255): rejected by MySQL
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := record(fmt.Sprint(i), "ok", fmt.Sprint("m", i))
			if i == 7 {
				rec = bad
			}
			_, errs[i] = s.SavePost(ctx, rec)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i == 7 {
			if err == nil {
				t.Skip("this MySQL truncates instead of rejecting (not strict mode)")
			}
			if !errors.Is(err, handlers.ErrPermanent) {
				t.Fatalf("bad row: want a permanent error, got %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("good row %d failed with the bad one: %v", i, err)
		}
	}
}

func TestAlertsAndDeliveriesAreIdempotent(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	saved, err := s.SavePost(ctx, record("1", "acme refund", "m"))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.SyncRules(ctx, []config.Rule{{Name: "r", Query: "acme", Type: "instant"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := s.SaveMatch(ctx, ids["r"], saved.ID, []string{"acme"}); err != nil {
			t.Fatal(err)
		}
	}
	rec := handlers.AlertRecord{DedupKey: handlers.DedupKey("instant", "r", "fb:g", "1"), RuleID: ids["r"], PostID: saved.ID, Kind: "instant", Terms: []string{"acme"}}
	first, err := s.CreateAlert(ctx, rec)
	if err != nil || first.ID == 0 || first.Published {
		t.Fatalf("first alert: %+v %v", first, err)
	}
	if err := s.MarkAlertPublished(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	second, err := s.CreateAlert(ctx, rec)
	if err != nil || second.ID != first.ID || !second.Published {
		t.Fatalf("second alert: %+v %v", second, err)
	}
	if n, _ := s.Queries().CountAlerts(ctx); n != 1 {
		t.Fatalf("%d alerts stored, want 1", n)
	}
	if n, _ := s.Queries().CountMatches(ctx); n != 1 {
		t.Fatalf("%d matches stored, want 1", n)
	}

	if st, err := s.DeliveryStatus(ctx, first.ID, "out"); err != nil || st != "" {
		t.Fatalf("no delivery yet: %q %v", st, err)
	}
	a := handlers.Alert{V: handlers.Version, AlertID: first.ID, Rule: "r", Sinks: []string{"out"}, Text: "acme refund"}
	claim := func(want bool, wantAttempts int) {
		t.Helper()
		attempts, got, err := s.ClaimDelivery(ctx, a, "out")
		if err != nil || got != want || (want && attempts != wantAttempts) {
			t.Fatalf("claim: got %v after %d attempts (%v), want %v", got, attempts, err, want)
		}
	}
	claim(true, 1)
	claim(false, 0) // held by the first claim
	if err := s.MarkFailed(ctx, first.ID, "out", "HTTP 500", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	claim(false, 0) // failed, but not due for an hour
	if due, err := s.DueDeliveries(ctx, []string{"out"}, 10); err != nil || len(due) != 0 {
		t.Fatalf("due %+v %v", due, err)
	}
	if err := s.MarkFailed(ctx, first.ID, "out", "HTTP 500", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueDeliveries(ctx, []string{"out"}, 10)
	if err != nil || len(due) != 1 || due[0].Alert.Text != "acme refund" || due[0].Attempts != 1 {
		t.Fatalf("due %+v %v", due, err)
	}
	if n, _ := s.UnfinishedDeliveries(ctx); n != 1 {
		t.Fatalf("%d unfinished deliveries, want 1", n)
	}
	claim(true, 2) // due: tried again
	if err := s.MarkSent(ctx, first.ID, "out"); err != nil {
		t.Fatal(err)
	}
	if st, err := s.DeliveryStatus(ctx, first.ID, "out"); err != nil || st != handlers.DeliverySent {
		t.Fatalf("status %q %v", st, err)
	}
	claim(false, 0) // sent: never again
	if n, _ := s.UnfinishedDeliveries(ctx); n != 0 {
		t.Fatalf("%d unfinished deliveries, want 0", n)
	}
}

func TestSyncRulesByName(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	first, err := s.SyncRules(ctx, []config.Rule{{Name: "a", Query: "x", Type: "instant"}, {Name: "b", Query: "y", Type: "instant"}})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.SyncRules(ctx, []config.Rule{{Name: "a", Query: "changed", Type: "instant"}})
	if err != nil {
		t.Fatal(err)
	}
	if second["a"] != first["a"] || len(second) != 1 {
		t.Fatalf("rule a must keep its id: %v then %v", first, second)
	}
	rules, err := s.Queries().ListRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		switch {
		case r.Name == "a" && (r.Query != "changed" || r.Enabled != 1):
			t.Fatalf("rule a: %+v", r)
		case r.Name == "b" && r.Enabled != 0:
			t.Fatalf("rule b must be disabled: %+v", r)
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	env := testenv.New(t) // already migrated once
	db := env.DB(t)
	if err := store.Migrate(context.Background(), db); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}

func TestThresholdStateCompareAndSet(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ { // a redelivered match counts once
		times, err := s.RecordMatch(ctx, 1, "forum:a", 7, now, now.Add(-time.Hour))
		if err != nil || len(times) != 1 {
			t.Fatalf("record: %v %v", times, err)
		}
	}
	st, err := s.FireState(ctx, 1, "forum:a")
	if err != nil || !st.NextAllowed.Before(now) || !st.LastFired.IsZero() {
		t.Fatalf("fresh state %+v %v", st, err)
	}
	first, err := s.TryFire(ctx, 1, "forum:a", st, now, 30*time.Minute, "k1")
	if err != nil || !first {
		t.Fatalf("first fire: %v %v", first, err)
	}
	// A second consumer that read the same state loses.
	second, err := s.TryFire(ctx, 1, "forum:a", st, now, 30*time.Minute, "k2")
	if err != nil || second {
		t.Fatalf("second fire on the same state: %v %v", second, err)
	}
	st, _ = s.FireState(ctx, 1, "forum:a")
	if !st.NextAllowed.Equal(now.Add(30*time.Minute)) || st.Realert != 30*time.Minute || st.LastDedupKey != "k1" {
		t.Fatalf("state after firing %+v", st)
	}
}

// SavePost's ids are the rows' ids, whether it takes them from the INSERT (consecutive ids,
// MariaDB's default) or reads them back, while two stores (two processes) write the same
// posts at once: each post is saved by both, under two messages, and by batches whose ids
// the server hands out interleaved between the stores.
func TestSavePostIDsAreTheRowsIDs(t *testing.T) {
	for _, readBack := range []bool{false, true} {
		t.Run(fmt.Sprintf("readBack=%v", readBack), func(t *testing.T) {
			env := testenv.New(t)
			db := env.DB(t)
			opts := store.Options{MaxBatch: 40, Writers: 2}
			if env.Embedded {
				opts.Writers = 1
			}
			stores := []*store.Store{store.New(db, opts), store.New(db, opts)}
			for _, s := range stores {
				if readBack {
					store.ReadIDsBack(s)
				}
				t.Cleanup(s.Close)
			}
			ctx := context.Background()
			const posts = 300
			type saved struct {
				id    string
				saved handlers.SavedPost
			}
			results := make(chan saved, 2*posts)
			var wg sync.WaitGroup
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < 2*posts; i += 8 {
						// Both copies of a post at once, one to each store.
						id := fmt.Sprint(i / 2)
						s := stores[i%2]
						// Two processes' statements on the same keys may deadlock: a transient
						// error, retried as the pipeline retries it (the same message again).
						got, err := s.SavePost(ctx, record(id, "text "+id, fmt.Sprintf("m%d", i)))
						for try := 1; err != nil && !errors.Is(err, handlers.ErrPermanent) && try < 5; try++ {
							t.Logf("post %s, try %d: %v", id, try, err)
							got, err = s.SavePost(ctx, record(id, "text "+id, fmt.Sprintf("m%d", i)))
						}
						if err != nil {
							t.Error(err)
							return
						}
						results <- saved{id, got}
					}
				}()
			}
			wg.Wait()
			close(results)
			news := map[string]int{}
			for r := range results {
				row, err := stores[0].Queries().GetPost(ctx, store.GetPostParamsFor("fb:g", r.id))
				if err != nil {
					t.Fatalf("post %s: %v", r.id, err)
				}
				if r.saved.ID != row.ID {
					t.Fatalf("post %s: SavePost said id %d (%s), the row's id is %d", r.id, r.saved.ID, r.saved.Outcome, row.ID)
				}
				if r.saved.Outcome == handlers.OutcomeNew {
					news[r.id]++
				}
			}
			if len(news) != posts {
				t.Fatalf("%d posts were new, want %d", len(news), posts)
			}
			step := store.IDStep(stores[0])
			t.Logf("id step %d", step)
			if readBack && step != 0 {
				t.Fatalf("read ids back, yet asked the server for its id step (%d)", step)
			}
			if !readBack && !env.Embedded {
				var mode, inc int64
				if err := db.QueryRowContext(ctx, "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment").Scan(&mode, &inc); err != nil {
					t.Fatal(err)
				}
				if want := map[bool]int64{true: inc, false: -1}[mode <= 1]; step != want {
					t.Fatalf("lock mode %d, increment %d: id step %d, want %d", mode, inc, step, want)
				}
			}
		})
	}
}
