package handlers

import (
	"context"
	"errors"
	"testing"
	"time"
)

func matchedPost(rules ...string) MatchedPost {
	p := MatchedPost{V: Version, PostID: 3, Source: "fb:g", ExternalID: "42", Text: "t"}
	for _, r := range rules {
		p.Matches = append(p.Matches, RuleMatch{Rule: r, Terms: []string{"x"}})
	}
	return p
}

func TestEvaluateInstantAlertsOncePerRuleAndPost(t *testing.T) {
	store := &fakeAlerts{}
	e := Evaluate{Rules: map[string]RuleInfo{
		"a": {ID: 1, Kind: "instant", Sinks: []string{"out"}},
		"b": {ID: 2, Kind: "instant", Sinks: []string{"out"}},
	}, Store: store}
	ctx := context.Background()

	alerts, err := e.Handle(ctx, matchedPost("a", "b"))
	if err != nil || len(alerts) != 2 {
		t.Fatalf("first: got %d alerts, %v", len(alerts), err)
	}
	if alerts[0].Rule != "a" || alerts[0].Sinks[0] != "out" || alerts[0].AlertID == 0 || alerts[0].DedupKey == "" {
		t.Fatalf("alert: %+v", alerts[0])
	}

	// Redelivered before notify saw it: published again (notify dedups per sink).
	again, err := e.Handle(ctx, matchedPost("a"))
	if err != nil || len(again) != 1 || again[0].AlertID != alerts[0].AlertID {
		t.Fatalf("unpublished alert must be published again with the same id, got %+v, %v", again, err)
	}

	// Once notify has seen it, never again.
	store.rows[alerts[0].DedupKey].Published = true
	again, err = e.Handle(ctx, matchedPost("a"))
	if err != nil || len(again) != 0 {
		t.Fatalf("published alert must not be published again, got %+v, %v", again, err)
	}
}

func TestEvaluateSkipsRuleNoLongerConfigured(t *testing.T) {
	e := Evaluate{Rules: map[string]RuleInfo{}, Store: &fakeAlerts{}}
	alerts, err := e.Handle(context.Background(), matchedPost("gone"))
	if err != nil || len(alerts) != 0 {
		t.Fatalf("got %+v, %v", alerts, err)
	}
}

func TestEvaluateStoreFailureIsTransient(t *testing.T) {
	e := Evaluate{Rules: map[string]RuleInfo{"a": {ID: 1, Kind: "instant"}}, Store: &fakeAlerts{err: errDown}}
	_, err := e.Handle(context.Background(), matchedPost("a"))
	if !errors.Is(err, errDown) || errors.Is(err, ErrPermanent) {
		t.Fatalf("want transient, got %v", err)
	}
}

func TestDedupKey(t *testing.T) {
	k := DedupKey("instant", "r", "s", "1")
	if k != DedupKey("instant", "r", "s", "1") {
		t.Fatal("not stable")
	}
	// The separator keeps ("ab","c") and ("a","bc") apart.
	if DedupKey("instant", "ab", "c", "1") == DedupKey("instant", "a", "bc", "1") {
		t.Fatal("ambiguous concatenation")
	}
	if k == DedupKey("instant", "r", "s", "2") {
		t.Fatal("different posts share a key")
	}
}

func TestEvaluateSilencedAlertsAreStoredNotSent(t *testing.T) {
	store := &fakeAlerts{}
	e := Evaluate{Rules: map[string]RuleInfo{"a": {ID: 1, Kind: "instant"}}, Store: store,
		Silences: fakeSilences{{rule: "a", key: "fb:g", reason: "silenced (rule a key fb:g) until 2126-11-27T16:00:00Z: launch day", ends: time.Date(2126, 11, 27, 16, 0, 0, 0, time.UTC)}}}
	alerts, err := e.Handle(context.Background(), matchedPost("a"))
	if err != nil || len(alerts) != 0 {
		t.Fatalf("a silenced alert was published: %+v %v", alerts, err)
	}
	if len(store.rows) != 1 {
		t.Fatal("a silenced alert must still be stored")
	}
	for _, row := range store.rows {
		if row.Suppressed == "" {
			t.Fatal("the reason was not stored")
		}
	}
	// Another source is not silenced.
	p := matchedPost("a")
	p.Source = "fb:other"
	if alerts, _ := e.Handle(context.Background(), p); len(alerts) != 1 {
		t.Fatal("a silence of one key silenced another")
	}
}

// TestEvaluateAlertSaysWhenRuleIsExact checks that an alert carries variants: exact from its
// rule, which tells sinks to highlight only the characters as written.
func TestEvaluateAlertSaysWhenRuleIsExact(t *testing.T) {
	e := Evaluate{Rules: map[string]RuleInfo{
		"fold":  {ID: 1, Kind: "instant"},
		"exact": {ID: 2, Kind: "instant", ExactVariants: true},
	}, Store: &fakeAlerts{}}
	alerts, err := e.Handle(context.Background(), matchedPost("fold", "exact"))
	if err != nil || len(alerts) != 2 {
		t.Fatalf("got %+v, %v", alerts, err)
	}
	for _, a := range alerts {
		want := map[string]string{"fold": "", "exact": VariantsExact}[a.Rule]
		if a.Variants != want {
			t.Errorf("rule %s: alert variants %q, want %q", a.Rule, a.Variants, want)
		}
	}
}
