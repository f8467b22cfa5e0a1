package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/queries"
	"groupwatch/store"
)

// A day of the ETL lands whole or not at all: a write failing midway leaves the day not
// computed and no row of it behind (before, rows landed one by one in map order, the day's
// marker among them, and a day could read as computed with keys missing).
func TestDailyETLDayIsAtomic(t *testing.T) {
	for name, start := range testenv.Databases() {
		t.Run(name, func(t *testing.T) {
			env := start(t)
			day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
			clock := day.Add(10 * time.Hour)
			s := store.New(env.DB(t), store.Options{Writers: 1, Now: func() time.Time { return clock }})
			defer s.Close()
			ctx := context.Background()
			ids, err := s.SyncRules(ctx, []config.Rule{{Name: "r", Query: "x", Type: config.RuleThreshold}})
			if err != nil {
				t.Fatal(err)
			}
			for i, source := range []string{"fb:a", "fb:a", "fb:b"} {
				text := fmt.Sprint("post ", i)
				saved, err := s.SavePost(ctx, handlers.PostRecord{Source: source, ExternalID: fmt.Sprint(i), Author: "au", Text: text, ContentHash: handlers.ContentHash(text), MessageID: "m"})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.SaveMatch(ctx, ids["r"], saved.ID, []string{"acme", "refund"}); err != nil {
					t.Fatal(err)
				}
			}
			from, to := day.AddDate(0, 0, -1), day.AddDate(0, 0, 1)
			// Six rows: rule *, source fb:a and fb:b, author au, term acme and refund.
			for _, after := range []int{0, 3, 5} {
				store.FailTxWritesAfter(s, after)
				if err := s.ComputeDay(ctx, ids["r"], day); err == nil {
					t.Fatalf("failing after %d writes: no error", after)
				}
				days, err := s.DaysComputed(ctx, ids["r"], from, to)
				if err != nil || len(days) != 0 {
					t.Fatalf("failing after %d writes: days computed %v %v, want none", after, days, err)
				}
				rows, err := s.Queries().DailyCounts(ctx, queries.DailyCountsParams{RuleID: ids["r"], GroupBy: "author", GroupKey: "au", Day: from, Day_2: to})
				if err != nil || len(rows) != 0 {
					t.Fatalf("failing after %d writes: rows %v %v left behind", after, rows, err)
				}
			}
			store.FailTxWritesAfter(s, -1)
			if err := s.ComputeDay(ctx, ids["r"], day); err != nil {
				t.Fatal(err)
			}
			got, err := s.DailyCounts(ctx, ids["r"], "source", "fb:a", from, to)
			if err != nil || fmt.Sprint(got) != "[2]" {
				t.Fatalf("source fb:a after a whole day: %v %v, want [2]", got, err)
			}
		})
	}
}

// A rule sync lands whole or not at all: the table stays as the last sync left it.
func TestSyncRulesIsAtomic(t *testing.T) {
	for name, start := range testenv.Databases() {
		t.Run(name, func(t *testing.T) {
			env := start(t)
			s := store.New(env.DB(t), store.Options{Writers: 1})
			defer s.Close()
			ctx := context.Background()
			rule := func(name string) config.Rule { return config.Rule{Name: name, Query: "x", Type: config.RuleInstant} }
			if _, err := s.SyncRules(ctx, []config.Rule{rule("a"), rule("b")}); err != nil {
				t.Fatal(err)
			}
			store.FailTxWritesAfter(s, 2)
			if _, err := s.SyncRules(ctx, []config.Rule{rule("a"), rule("c"), rule("d")}); err == nil {
				t.Fatal("sync failing midway: no error")
			}
			store.FailTxWritesAfter(s, -1)
			rows, err := s.Queries().ListRules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, fmt.Sprintf("%s:%d", r.Name, r.Enabled))
			}
			if fmt.Sprint(got) != "[a:1 b:1]" {
				t.Fatalf("rules after a failed sync: %v, want [a:1 b:1]", got)
			}
		})
	}
}
