package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"groupwatch/internal/testenv"
	"groupwatch/queries"
)

// TestListAlertsByDeliveryStatus: newest first, each alert once however many of its
// deliveries are in the status, at most the limit, and its rule and post joined.
func TestListAlertsByDeliveryStatus(t *testing.T) {
	for name, open := range testenv.Databases() {
		t.Run(name, func(t *testing.T) {
			db := open(t).DB(t)
			at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			exec(t, db, "INSERT INTO rules (id, name, query, kind, updated_at) VALUES (1, 'r', 'q', 'instant', ?)", at)
			statuses := map[int][]string{1: {"sent"}, 2: {"sent", "sent"}, 3: {"dead"}, 4: {"sent", "dead"}, 5: {"failed"}}
			for id := 1; id <= 5; id++ {
				exec(t, db, "INSERT INTO posts (id, source, external_id, text, content_hash, raw_payload, first_seen_at, updated_at) VALUES (?, 's', ?, 't', '', '{}', ?, ?)", id, fmt.Sprint("p", id), at, at)
				exec(t, db, "INSERT INTO alerts (id, dedup_key, rule_id, post_id, kind, terms, created_at) VALUES (?, ?, 1, ?, 'instant', '[]', ?)", id, fmt.Sprintf("%064d", id), id, at)
				for k, st := range statuses[id] {
					exec(t, db, "INSERT INTO deliveries (alert_id, sink, status, alert_json, updated_at) VALUES (?, ?, ?, '{}', ?)", id, fmt.Sprint("sink", k), st, at)
				}
			}
			q := queries.New(db)
			for _, tc := range []struct {
				status string
				limit  int32
				want   string
			}{
				{"sent", 10, "[4 2 1]"}, {"sent", 2, "[4 2]"}, {"dead", 10, "[4 3]"}, {"pending", 10, "[]"},
			} {
				rows, err := q.ListAlertsByDeliveryStatus(context.Background(), queries.ListAlertsByDeliveryStatusParams{Status: tc.status, Limit: tc.limit})
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, r := range rows {
					ids = append(ids, r.ID)
					if r.RuleName != "r" || r.ExternalID.String != fmt.Sprint("p", r.ID) {
						t.Fatalf("alert %d joined to rule %q post %v", r.ID, r.RuleName, r.ExternalID)
					}
				}
				if got := fmt.Sprint(ids); got != tc.want && !(tc.want == "[]" && len(ids) == 0) {
					t.Errorf("%s limit %d: %s, want %s", tc.status, tc.limit, got, tc.want)
				}
			}
		})
	}
}
