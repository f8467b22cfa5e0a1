package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

func TestDailyETLCountsAndBaselines(t *testing.T) {
	for name, start := range testenv.Databases() {
		t.Run(name, func(t *testing.T) { testDailyETLCountsAndBaselines(t, start(t)) })
	}
}

func testDailyETLCountsAndBaselines(t *testing.T, env testenv.Env) {
	clock := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s := store.New(env.DB(t), store.Options{Writers: 1, Now: func() time.Time { return clock }})
	defer s.Close()
	ctx := context.Background()
	ids, err := s.SyncRules(ctx, []config.Rule{{Name: "r", Query: "x", Type: "threshold"}})
	if err != nil {
		t.Fatal(err)
	}
	// Day 20: three matches from fb:a, one from fb:b; day 21: none; day 22: one from fb:a.
	post := 0
	match := func(day int, source string) {
		clock = time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC)
		post++
		text := fmt.Sprint("post ", post)
		saved, err := s.SavePost(ctx, handlers.PostRecord{Source: source, ExternalID: fmt.Sprint(post), Author: "au", Text: text, ContentHash: handlers.ContentHash(text), MessageID: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveMatch(ctx, ids["r"], saved.ID, []string{"acme", "refund"}); err != nil {
			t.Fatal(err)
		}
	}
	match(20, "fb:a")
	match(20, "fb:a")
	match(20, "fb:a")
	match(20, "fb:b")
	match(22, "fb:a")
	for day := 20; day <= 22; day++ {
		for i := 0; i < 2; i++ { // computing a day again changes nothing
			if err := s.ComputeDay(ctx, ids["r"], time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
		}
	}
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	days, err := s.DaysComputed(ctx, ids["r"], from, to)
	if err != nil || len(days) != 3 {
		t.Fatalf("days computed %v %v", days, err)
	}
	check := func(by, key string, want []int) {
		t.Helper()
		got, err := s.DailyCounts(ctx, ids["r"], by, key, from, to)
		sort.Ints(got)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s %s: %v %v, want %v", by, key, got, err, want)
		}
	}
	check("rule", "*", []int{0, 1, 4})
	check("source", "fb:a", []int{0, 1, 3})
	check("source", "fb:b", []int{0, 0, 1})
	check("term", "refund", []int{0, 1, 4})
	check("author", "au", []int{0, 1, 4})
}
