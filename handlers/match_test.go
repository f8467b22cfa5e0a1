package handlers

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"

	"groupwatch/query"
	"groupwatch/textnorm"
)

func compile(t *testing.T, rules map[string]string) *query.Matcher {
	t.Helper()
	names := make([]string, 0, len(rules))
	for name := range rules {
		names = append(names, name)
	}
	sort.Strings(names) // results come in rule order
	var rs []query.Rule
	for _, name := range names {
		e, err := query.Parse(rules[name])
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, query.Rule{Name: name, Expr: e})
	}
	m, err := query.Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func normalized(id int64, text string) NormalizedPost {
	return NormalizedPost{V: Version, PostID: id, Source: "fb:g", ExternalID: "x", Text: text, Normalized: textnorm.Normalize(text)}
}

func TestMatch(t *testing.T) {
	m := compile(t, map[string]string{
		"deals":  `"iphone 15" (二手 OR 便宜) -壞掉`,
		"refund": `acme refund`,
	})
	ids := map[string]int64{"deals": 1, "refund": 2}

	tests := []struct {
		name  string
		text  string
		rules []RuleMatch
	}{
		{"chinese and full width", "出售 二手 Ｉｐｈｏｎｅ　１５", []RuleMatch{{"deals", []string{"iphone 15", "二手"}}}},
		{"negated term", "iphone 15 二手 螢幕壞掉", nil},
		{"word boundary", "iphone 150 二手", nil},
		{"two rules", "ACME refund? 便宜 iphone 15", []RuleMatch{{"deals", []string{"iphone 15", "便宜"}}, {"refund", []string{"acme", "refund"}}}},
		{"nothing", "hello world", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &fakeMatches{}
			out, err := Match{Matcher: m, RuleIDs: ids, Store: store}.Handle(context.Background(), normalized(7, tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if tt.rules == nil {
				if out != nil || len(store.saved) != 0 {
					t.Fatalf("want no match, got %+v and %d stored", out, len(store.saved))
				}
				return
			}
			if out == nil || !reflect.DeepEqual(out.Matches, tt.rules) {
				t.Fatalf("matches: got %+v, want %+v", out, tt.rules)
			}
			if len(store.saved) != len(tt.rules) || store.saved[0].post != 7 || store.saved[0].rule != ids[tt.rules[0].Rule] {
				t.Fatalf("stored %+v", store.saved)
			}
		})
	}
}

func TestMatchStoreFailureIsTransient(t *testing.T) {
	m := compile(t, map[string]string{"r": "acme"})
	_, err := Match{Matcher: m, RuleIDs: map[string]int64{"r": 1}, Store: &fakeMatches{err: errDown}}.
		Handle(context.Background(), normalized(1, "acme"))
	if !errors.Is(err, errDown) || errors.Is(err, ErrPermanent) {
		t.Fatalf("want transient, got %v", err)
	}
}

func TestMatchRejectsMissingPostID(t *testing.T) {
	m := compile(t, map[string]string{"r": "acme"})
	_, err := Match{Matcher: m, Store: &fakeMatches{}}.Handle(context.Background(), normalized(0, "acme"))
	if !errors.Is(err, ErrPermanent) {
		t.Fatalf("want permanent, got %v", err)
	}
}
