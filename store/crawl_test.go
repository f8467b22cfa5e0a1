package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"groupwatch/crawl"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// A page of 70,000 items (more than a statement's 65,535 placeholders) is looked up in
// chunks; the stored posts among them are found wherever they are in the list. The stand-in
// has no placeholder limit and is slow at this: it checks the chunking over 3,000 ids.
func TestSeenHugePage(t *testing.T) {
	n := 70000
	if !testenv.New(t).Real {
		n = 3000
	}
	s := newStore(t)
	ctx := context.Background()
	last := fmt.Sprint(n - 1)
	for _, id := range []string{"5", last} {
		if _, err := s.SavePost(ctx, record(id, "post "+id, "m"+id)); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint(i)
	}
	seen, err := s.Seen(ctx, "fb:g", ids)
	if err != nil {
		t.Fatalf("Seen over %d ids: %v", n, err)
	}
	if len(seen) != 2 || !seen["5"] || !seen[last] {
		t.Fatalf("seen %v", seen)
	}
}

// MySQL's "too many placeholders" can never succeed on a retry: it is permanent.
func TestTooManyPlaceholdersIsPermanent(t *testing.T) {
	for _, n := range []uint16{1390, 1406, 1366} {
		if !store.IsDataError(fmt.Errorf("wrapped: %w", &mysql.MySQLError{Number: n, Message: "x"})) {
			t.Errorf("error %d is retried forever", n)
		}
	}
	if store.IsDataError(&mysql.MySQLError{Number: 1213, Message: "deadlock"}) {
		t.Error("a deadlock must be retried")
	}
}

// A run's note (what it cut) is kept with the run.
func TestFinishRunKeepsTheNote(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	job := crawl.Job{V: 1, ID: "forum@1", Source: "forum", Tick: time.Now()}
	if _, _, err := s.StartRun(ctx, job, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, job.ID, crawl.Result{Verdict: "ok", Pages: 1, Note: "page 1 had 70000 items: read the first 5000"}); err != nil {
		t.Fatal(err)
	}
	run, err := s.Queries().GetCrawlRun(ctx, job.ID)
	if err != nil || !strings.Contains(run.Error.String, "note: page 1 had 70000 items") {
		t.Fatalf("run %+v %v", run, err)
	}
}
