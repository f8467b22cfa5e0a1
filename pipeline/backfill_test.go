package pipeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
	"groupwatch/store"
)

// A backfill's simulation neither sees nor changes live state: live rule events recorded
// today do not count in a window ten days ago, and the live rule_state is left as it was.
// (Before, backfill ran on the live store: one 10-day-old post fired a count-3 threshold on
// today's events, and the firing overwrote the live rule_state.)
func TestBackfillIsolatedFromLiveState(t *testing.T) {
	for name, start := range testenv.Databases() {
		t.Run(name, func(t *testing.T) {
			env := start(t)
			now := time.Now().UTC().Truncate(time.Second)
			clock := now.AddDate(0, 0, -10)
			s := store.New(env.DB(t), store.Options{Writers: 1, Now: func() time.Time { return clock }})
			defer s.Close()
			ctx := context.Background()
			rule := config.Rule{Name: "spike", Query: "acme", Type: config.RuleThreshold, Threshold: config.Threshold{
				Count: 3, Window: time.Hour, GroupBy: config.GroupByRule, Realert: time.Hour, RealertMax: time.Hour}}
			ids, err := s.SyncRules(ctx, []config.Rule{rule})
			if err != nil {
				t.Fatal(err)
			}
			id := ids["spike"]
			save := func(ext string) int64 {
				text := "acme " + ext
				p, err := s.SavePost(ctx, handlers.PostRecord{Source: "fb:g", ExternalID: ext, Text: text, ContentHash: handlers.ContentHash(text), MessageID: ext})
				if err != nil {
					t.Fatal(err)
				}
				return p.ID
			}
			save("old")
			// Today the live pipeline saw three posts and counted them, without firing yet.
			for i := 1; i <= 3; i++ {
				clock = now.Add(time.Duration(i) * time.Minute)
				post := save(fmt.Sprint("today-", i))
				if _, err := s.RecordMatch(ctx, id, "*", post, clock, clock.Add(-time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := pipeline.Backfill(ctx, rule, id, s, now.AddDate(0, 0, -11), func(int, int) {})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Posts != 4 || rep.Matches != 4 || len(rep.Alerts) != 1 || rep.Alerts[0].ExternalID != "today-3" {
				t.Fatalf("backfill: %d posts, %d matches, alerts %+v; want 4, 4 and one alert on today-3", rep.Posts, rep.Matches, rep.Alerts)
			}
			st, err := s.FireState(ctx, id, "*")
			if err != nil || !st.LastFired.IsZero() || st.LastDedupKey != "" {
				t.Fatalf("live rule_state after the backfill: %+v %v, want it untouched", st, err)
			}
			times, err := s.Queries().RuleEventTimes(ctx, queries.RuleEventTimesParams{RuleID: id, GroupKey: "*", At: now.AddDate(-1, 0, 0), At_2: now.AddDate(1, 0, 0)})
			if err != nil || len(times) != 3 {
				t.Fatalf("live rule events after the backfill: %v %v, want the 3 live ones", times, err)
			}
			again, err := pipeline.Backfill(ctx, rule, id, s, now.AddDate(0, 0, -11), func(int, int) {})
			if err != nil || len(again.Alerts) != 0 {
				t.Fatalf("a second backfill: %+v %v, want no new alert", again.Alerts, err)
			}
		})
	}
}
