package store_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// saveAll saves the records at once, so they share a batch where the writer can, and
// returns each one's result.
func saveAll(t *testing.T, s *store.Store, recs []handlers.PostRecord) ([]handlers.SavedPost, []error) {
	t.Helper()
	saved := make([]handlers.SavedPost, len(recs))
	errs := make([]error, len(recs))
	var wg sync.WaitGroup
	for i, rec := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			saved[i], errs[i] = s.SavePost(context.Background(), rec)
		}()
	}
	wg.Wait()
	return saved, errs
}

// TestIdsCompareByteForByte: ids that differ only by trailing spaces are two posts, as Go
// sees them; neither overwrites the other (MariaDB's utf8mb4_bin pads with spaces).
func TestIdsCompareByteForByte(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	recs := []handlers.PostRecord{record("42", "first", "m1"), record("42 ", "second", "m2"), record("42  ", "third", "m3")}
	pad := record("1", "on source pad", "m4")
	pad.Source = "fb:g "
	recs = append(recs, pad, record("1", "on source fb:g", "m5"))
	for _, rec := range recs { // one by one: a post is never told apart by batch luck
		got, err := s.SavePost(ctx, rec)
		if err != nil {
			t.Fatalf("save %q/%q: %v", rec.Source, rec.ExternalID, err)
		}
		if got.Outcome != handlers.OutcomeNew {
			t.Fatalf("save %q/%q: outcome %s, want new", rec.Source, rec.ExternalID, got.Outcome)
		}
	}
	for _, rec := range recs {
		row, err := s.Queries().GetPost(ctx, store.GetPostParamsFor(rec.Source, rec.ExternalID))
		if err != nil || row.Text != rec.Text || row.ExternalID != rec.ExternalID || row.Source != rec.Source {
			t.Fatalf("post %q/%q reads back as %q/%q %q (%v)", rec.Source, rec.ExternalID, row.Source, row.ExternalID, row.Text, err)
		}
	}
	if n, _ := s.Queries().CountPosts(ctx); n != int64(len(recs)) {
		t.Fatalf("%d rows, want %d", n, len(recs))
	}
}

// TestPadSpaceDatabaseFailsOnlyTheClashingPost: on a database still made by the old schema
// (utf8mb4_bin, PAD SPACE on MariaDB), a post whose id the database takes for another one
// fails permanently with the reason, the stored post is not overwritten, and the rest of
// its batch is stored. Then `migrate` adopts the database (made before migrations were
// versioned: no version table), its migration 2 upgrades the columns, and both are stored.
func TestPadSpaceDatabaseFailsOnlyTheClashingPost(t *testing.T) {
	env := testenv.Empty(t)
	if !env.Real {
		t.Skip("needs MariaDB (PAD SPACE collation); set GROUPWATCH_TEST_MYSQL_DSN")
	}
	db := env.DB(t)
	ctx := context.Background()
	release, err := os.ReadFile("testdata/schema-before-versions.sql")
	if err != nil {
		t.Fatal(err)
	}
	stmts := append(store.Statements(string(release)),
		"ALTER TABLE posts MODIFY source VARCHAR(191) NOT NULL, MODIFY external_id VARCHAR(191) NOT NULL")
	for _, stmt := range stmts {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	var padded int
	if err := db.QueryRowContext(ctx, "SELECT 'a' = 'a '").Scan(&padded); err != nil || padded != 1 {
		t.Skipf("this server's collation does not pad (%v): nothing to disagree about", err)
	}
	s := store.New(db, store.Options{})
	defer s.Close()
	if _, err := s.SavePost(ctx, record("42", "first", "m1")); err != nil {
		t.Fatal(err)
	}
	saved, errs := saveAll(t, s, []handlers.PostRecord{record("42 ", "second", "m2"), record("43", "other", "m3"), record("44", "other", "m4")})
	if !errors.Is(errs[0], handlers.ErrPermanent) || !strings.Contains(errs[0].Error(), `"42 "`) {
		t.Fatalf("the clashing post: %v, want a permanent error naming it", errs[0])
	}
	for i := 1; i < 3; i++ {
		if errs[i] != nil || saved[i].Outcome != handlers.OutcomeNew {
			t.Fatalf("post %d of the batch: %+v %v", i, saved[i], errs[i])
		}
	}
	row, err := s.Queries().GetPost(ctx, store.GetPostParamsFor("fb:g", "42"))
	if err != nil || row.Text != "first" {
		t.Fatalf("stored post 42 became %q (%v)", row.Text, err)
	}

	if err := store.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	var typ string
	if err := db.QueryRowContext(ctx, "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'posts' AND COLUMN_NAME = 'external_id'").Scan(&typ); err != nil || typ != "varbinary" {
		t.Fatalf("after migrate external_id is %q (%v)", typ, err)
	}
	if got, err := s.SavePost(ctx, record("42 ", "second", "m5")); err != nil || got.Outcome != handlers.OutcomeNew {
		t.Fatalf("after migrate: %+v %v", got, err)
	}
	if n, _ := s.Queries().CountPosts(ctx); n != 4 {
		t.Fatalf("%d rows after migrate, want 4", n)
	}
	if err := store.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
}

// TestOversizedPostsArePermanentAndTheRestStored: a post larger than one statement may be
// is refused at once with the reason (it used to reset the connection and be retried
// forever), and posts whose sum is larger are written in several statements.
func TestOversizedPostsArePermanentAndTheRestStored(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	packet, err := s.Queries().MaxAllowedPacket(ctx)
	if err != nil || packet <= 0 {
		t.Skipf("server does not say its max_allowed_packet (%d, %v)", packet, err)
	}
	if packet > 64<<20 {
		t.Skipf("max_allowed_packet %d: too large to fill in a test", packet)
	}
	huge := record("huge", strings.Repeat("字", int(packet)/3+10), "m1")
	third := int(packet) / 4
	big := []handlers.PostRecord{huge}
	for _, id := range []string{"a", "b", "c", "d"} {
		big = append(big, record(id, strings.Repeat(id, third), "m-"+id))
	}
	saved, errs := saveAll(t, s, big)
	if !errors.Is(errs[0], handlers.ErrPermanent) || !strings.Contains(errs[0].Error(), "max_allowed_packet") {
		t.Fatalf("the huge post: %v, want a permanent error naming max_allowed_packet", errs[0])
	}
	for i := 1; i < len(big); i++ {
		if errs[i] != nil || saved[i].Outcome != handlers.OutcomeNew {
			t.Fatalf("post %s: %+v %v", big[i].ExternalID, saved[i], errs[i])
		}
	}
}
