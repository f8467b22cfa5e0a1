package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// TestPurge: old rows go, in batches with a pause between statements, except what must stay:
// posts an alert refers to (until the alert goes), alerts with a delivery still to be sent,
// unfinished crawl runs. A purged post's matches and rule events go with it. The dry run's
// counts are what the purge then removes.
func TestPurge(t *testing.T) {
	for name, open := range testenv.Databases() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t).DB(t)
			s := store.New(db, store.Options{Writers: 1})
			defer s.Close()
			now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
			old, recent := now.AddDate(0, 0, -200), now.AddDate(0, 0, -10)

			post := func(id string, at time.Time) int64 {
				res, err := db.Exec("INSERT INTO posts (source, external_id, text, content_hash, raw_payload, first_seen_at, updated_at) VALUES ('s', ?, 't', '', '{}', ?, ?)", id, at, at)
				if err != nil {
					t.Fatal(err)
				}
				pid, _ := res.LastInsertId()
				exec(t, db, "INSERT INTO matches (rule_id, post_id, terms, created_at) VALUES (1, ?, '[]', ?)", pid, at)
				exec(t, db, "INSERT INTO rule_events (rule_id, group_key, post_id, at) VALUES (1, '*', ?, ?)", pid, at)
				return pid
			}
			alert := func(postID int64, at time.Time, delivery string) {
				res, err := db.Exec("INSERT INTO alerts (dedup_key, rule_id, post_id, kind, terms, created_at) VALUES (?, 1, ?, 'instant', '[]', ?)", fmt.Sprintf("%064d", postID), postID, at)
				if err != nil {
					t.Fatal(err)
				}
				aid, _ := res.LastInsertId()
				exec(t, db, "INSERT INTO deliveries (alert_id, sink, status, alert_json, updated_at) VALUES (?, 'file', ?, '{}', ?)", aid, delivery, at)
			}
			for i := 0; i < 7; i++ {
				post(fmt.Sprintf("old%d", i), old) // 7 old posts: several batches of 2
			}
			sentAlertPost := post("old-alert-sent", old)
			alert(sentAlertPost, old, "sent")
			failedAlertPost := post("old-alert-failed", old)
			alert(failedAlertPost, old, "failed")
			recentPost := post("recent", recent)
			alert(recentPost, recent, "sent")
			for i, finished := range []bool{true, true, false} {
				var fin any
				if finished {
					fin = old
				}
				exec(t, db, "INSERT INTO crawl_runs (job_id, source, started_at, finished_at) VALUES (?, 's', ?, ?)", fmt.Sprintf("j%d", i), old, fin)
			}
			exec(t, db, "INSERT INTO crawl_runs (job_id, source, started_at, finished_at) VALUES ('new', 's', ?, ?)", recent, recent)
			for d := 0; d < 3; d++ {
				exec(t, db, "INSERT INTO keyword_daily (day, rule_id, group_by, group_key, matches, updated_at) VALUES (?, 1, 'rule', '*', 1, ?)", old.AddDate(0, 0, d).Format("2006-01-02"), old)
			}
			exec(t, db, "INSERT INTO keyword_daily (day, rule_id, group_by, group_key, matches, updated_at) VALUES (?, 1, 'rule', '*', 1, ?)", recent.Format("2006-01-02"), recent)

			// First posts only, alerts kept: the alerted posts stay.
			postsOnly := store.Cutoffs{Posts: now.AddDate(0, 0, -180)}
			would, kept, err := s.Purgeable(ctx, postsOnly)
			if err != nil {
				t.Fatal(err)
			}
			if would["posts"] != 7 || would["matches"] != 7 || kept != 2 {
				t.Fatalf("dry run: %v, kept %d; want 7 posts, 7 matches, 2 kept", would, kept)
			}
			pauses := 0
			pause := func(context.Context) error { pauses++; return nil }
			removed, err := s.Purge(ctx, postsOnly, 2, pause)
			if err != nil {
				t.Fatal(err)
			}
			if removed["posts"] != 7 || removed["matches"] != 7 || removed["rule_events"] != 7 || pauses < 3 {
				t.Fatalf("removed %v with %d pauses; want 7 posts, matches, rule events in batches of 2", removed, pauses)
			}
			if got := count(t, db, "posts"); got != 3 {
				t.Fatalf("%d posts left, want the 2 alerted old ones and the recent one", got)
			}

			// Then everything: the alert with a sent delivery goes, with its delivery and its
			// post; the one with a failed delivery stays, and so does its post.
			all := store.Cutoffs{Posts: now.AddDate(0, 0, -180), Alerts: now.AddDate(0, 0, -180),
				CrawlRuns: now.AddDate(0, 0, -90), KeywordDaily: now.AddDate(0, 0, -90)}
			would, _, err = s.Purgeable(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			removed, err = s.Purge(ctx, all, 2, pause)
			if err != nil {
				t.Fatal(err)
			}
			want := store.Removed{"alerts": 1, "deliveries": 1, "posts": 1, "matches": 1, "rule_events": 1, "crawl_runs": 2, "keyword_daily": 3}
			if fmt.Sprint(removed) != fmt.Sprint(want) {
				t.Fatalf("removed %v, want %v", removed, want)
			}
			if would["alerts"] != 1 || would["crawl_runs"] != 2 || would["keyword_daily"] != 3 {
				t.Fatalf("dry run said %v", would)
			}
			for table, left := range map[string]int{"posts": 2, "alerts": 2, "deliveries": 2, "matches": 2, "crawl_runs": 2, "keyword_daily": 1} {
				if got := count(t, db, table); got != left {
					t.Errorf("%s: %d rows left, want %d", table, got, left)
				}
			}
			var kept1 int
			if err := db.QueryRow("SELECT COUNT(*) FROM posts WHERE id IN (?, ?)", failedAlertPost, recentPost).Scan(&kept1); err != nil || kept1 != 2 {
				t.Fatalf("the posts of the kept alerts: %d (%v)", kept1, err)
			}
			if removed, err := s.Purge(ctx, all, 2, pause); err != nil || len(nonZero(removed)) != 0 {
				t.Fatalf("a second pass removed %v (%v)", removed, err)
			}
		})
	}
}

func count(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func nonZero(r store.Removed) []string {
	var out []string
	for k, v := range r {
		if v != 0 {
			out = append(out, k)
		}
	}
	return out
}

// TestPostsSincePages: the first page starts at the first post of the range, later pages go
// on by id, and a range with no post is empty (the first page looks its start up through
// posts_first_seen rather than walking every older id).
func TestPostsSincePages(t *testing.T) {
	for name, open := range testenv.Databases() {
		t.Run(name, func(t *testing.T) {
			db := open(t).DB(t)
			s := store.New(db, store.Options{Writers: 1})
			defer s.Close()
			since := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			for i := 0; i < 10; i++ {
				at := since.Add(time.Duration(i-5) * time.Hour) // five before, five after
				exec(t, db, "INSERT INTO posts (source, external_id, text, content_hash, raw_payload, first_seen_at, updated_at) VALUES ('s', ?, 't', '', '{}', ?, ?)", fmt.Sprint(i), at, at)
			}
			ctx := context.Background()
			var got []string
			after := int64(0)
			for {
				page, err := s.PostsSince(ctx, since, after, 2)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				for _, p := range page {
					got = append(got, p.ExternalID)
				}
				after = page[len(page)-1].ID
			}
			if fmt.Sprint(got) != "[5 6 7 8 9]" {
				t.Fatalf("posts since: %v", got)
			}
			if page, err := s.PostsSince(ctx, since.Add(time.Hour*24), 0, 2); err != nil || len(page) != 0 {
				t.Fatalf("a range with no post: %v %v", page, err)
			}
		})
	}
}
