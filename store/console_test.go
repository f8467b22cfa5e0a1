package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// The console's reads run on every database the pipeline does: the stand-in always, real
// MySQL too when the environment names one.
func TestConsoleReads(t *testing.T) {
	for name, start := range testenv.Databases() {
		t.Run(name, func(t *testing.T) {
			env := start(t)
			now := time.Now().UTC().Truncate(time.Second)
			clock := now.Add(-time.Hour)
			opts := store.Options{Now: func() time.Time { return clock }}
			if env.Embedded {
				opts.Writers = 1
			}
			s := store.New(env.DB(t), opts)
			t.Cleanup(s.Close)
			// A post, its match and alert an hour old: outside the window the throughput reads.
			old, err := s.SavePost(context.Background(), record("old", "acme old", "m-old"))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SaveMatch(context.Background(), 999, old.ID, []string{"acme"}); err != nil {
				t.Fatal(err)
			}
			clock = now
			testConsoleReads(t, s, now)
		})
	}
}

func testConsoleReads(t *testing.T, s *store.Store, now time.Time) {
	ctx := context.Background()
	ids, err := s.SyncRules(ctx, []config.Rule{{Name: "r", Query: "acme", Type: "instant"}, {Name: "q", Query: "相機", Type: "instant"}})
	if err != nil {
		t.Fatal(err)
	}
	var alerts []int64
	for i, rec := range []struct{ rule, id, text string }{{"r", "1", "acme refund"}, {"q", "2", "賣相機"}, {"r", "3", "acme again"}} {
		saved, err := s.SavePost(ctx, record(rec.id, rec.text, "m"+rec.id))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveMatch(ctx, ids[rec.rule], saved.ID, []string{"t"}); err != nil {
			t.Fatal(err)
		}
		a, err := s.CreateAlert(ctx, handlers.AlertRecord{DedupKey: handlers.DedupKey("instant", rec.rule, "fb:g", rec.id), RuleID: ids[rec.rule],
			PostID: saved.ID, Kind: "instant", Terms: []string{"acme", "相機"}[i%2 : i%2+1]})
		if err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a.ID)
	}
	// The third alert's delivery is dead.
	if _, _, err := s.ClaimDelivery(ctx, handlers.Alert{V: handlers.Version, AlertID: alerts[2], Rule: "r"}, "slack"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDead(ctx, alerts[2], "slack", "HTTP 404"); err != nil {
		t.Fatal(err)
	}

	all, err := s.SearchAlerts(ctx, store.AlertQuery{})
	if err != nil || len(all) != 3 || all[0].ID != alerts[2] || all[2].Terms[0] != "acme" || all[1].Terms[0] != "相機" {
		t.Fatalf("all alerts: %+v %v", all, err)
	}
	byRule, err := s.SearchAlerts(ctx, store.AlertQuery{Rule: "q"})
	if err != nil || len(byRule) != 1 || byRule[0].ID != alerts[1] || byRule[0].Source != "fb:g" || byRule[0].ExternalID != "2" {
		t.Fatalf("rule q: %+v %v", byRule, err)
	}
	dead, err := s.SearchAlerts(ctx, store.AlertQuery{Status: handlers.DeliveryDead, Source: "fb:g"})
	if err != nil || len(dead) != 1 || dead[0].ID != alerts[2] {
		t.Fatalf("dead: %+v %v", dead, err)
	}
	if none, err := s.SearchAlerts(ctx, store.AlertQuery{From: now.Add(time.Hour)}); err != nil || len(none) != 0 {
		t.Fatalf("from the future: %+v %v", none, err)
	}
	if none, err := s.SearchAlerts(ctx, store.AlertQuery{Source: "other"}); err != nil || len(none) != 0 {
		t.Fatalf("other source: %+v %v", none, err)
	}

	d, err := s.AlertDetail(ctx, alerts[2])
	if err != nil || d.Rule != "r" || d.RuleQuery != "acme" || d.Text != "acme again" || len(d.Deliveries) != 1 ||
		d.Deliveries[0].Status != handlers.DeliveryDead || d.Deliveries[0].LastError != "HTTP 404" {
		t.Fatalf("detail: %+v %v", d, err)
	}
	if _, err := s.AlertDetail(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing alert: %v", err)
	}
	if n, err := s.ResendDeliveries(ctx, alerts[2]); err != nil || n != 1 {
		t.Fatalf("resend: %d %v", n, err)
	}
	counts, err := s.CountDeliveriesByStatus(ctx)
	if err != nil || counts[handlers.DeliveryFailed] != 1 || counts[handlers.DeliveryDead] != 0 {
		t.Fatalf("deliveries by status after resend: %v %v", counts, err)
	}

	tp, err := s.Throughput(ctx, now.Add(-10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	sum := func(xs []int64) (n int64) {
		for _, x := range xs {
			n += x
		}
		return n
	}
	if len(tp[store.ThroughputNormalize]) != 11 || sum(tp[store.ThroughputNormalize]) != 3 || sum(tp[store.ThroughputMatch]) != 3 ||
		sum(tp[store.ThroughputEvaluate]) != 3 || sum(tp[store.ThroughputNotify]) != 0 {
		t.Fatalf("throughput: %v", tp)
	}

	if err := s.AddSilence(ctx, "r", "", "maintenance", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	sil, err := s.ActiveSilences(ctx)
	if err != nil || len(sil) != 1 || sil[0].Rule != "r" || sil[0].Reason != "maintenance" {
		t.Fatalf("silences: %+v %v", sil, err)
	}
	if n, err := s.EndSilences(ctx, "r", ""); err != nil || n != 1 {
		t.Fatalf("end silences: %d %v", n, err)
	}
	if sil, _ := s.ActiveSilences(ctx); len(sil) != 0 {
		t.Fatalf("silences after clear: %+v", sil)
	}
	if err := s.SyncSources(ctx, []config.Source{{Name: "fb:g", Kind: "feed", URL: "http://x/feed", Every: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	states, err := s.CountSourcesByState(ctx)
	if err != nil || states["ok"] != 1 {
		t.Fatalf("sources by state: %v %v", states, err)
	}
	srcs, err := s.Sources(ctx)
	if err != nil || len(srcs) != 1 || srcs[0].Name != "fb:g" {
		t.Fatalf("sources: %+v %v", srcs, err)
	}
	if runs, err := s.CrawlRuns(ctx, "fb:g", 5); err != nil || len(runs) != 0 {
		t.Fatalf("runs: %+v %v", runs, err)
	}
}
