package handlers

import (
	"strings"
	"testing"
	"time"
)

func TestBuildDigest(t *testing.T) {
	hk := time.FixedZone("HKT", 8*3600)
	from := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	to := from.Add(7 * 24 * time.Hour)
	m := func(day int, source, text string, terms ...string) DigestMatch {
		return DigestMatch{At: from.Add(time.Duration(day) * 24 * time.Hour), PostID: int64(day), Source: source, ExternalID: "p", Text: text, Terms: terms}
	}
	a := BuildDigest("weekly", []string{"mail"}, from, to, hk, []DigestMatch{
		m(0, "fb:a", "二手 iPhone 15 便宜", "二手", "便宜"),
		m(1, "fb:a", "二手 only", "二手"),
		m(6, "forum:b", "another 二手", "二手"),
	}, 2)
	for _, want := range []string{
		"3 matches in 3 posts from 2 sources, 2026-11-23 09:00 HKT to 2026-11-30 09:00 HKT",
		"Terms:\n       3  二手\n       1  便宜",
		"Sources:\n       2  fb:a\n       1  forum:b",
		"Top posts:\n1. [fb:a] (unknown): 二手 iPhone 15 便宜\n2. [forum:b] (unknown): another 二手",
	} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("digest text lacks %q:\n%s", want, a.Text)
		}
	}
	if a.Kind != "digest" || a.Summary != "3 matches in 3 posts from 2 sources" || len(a.Trend) != trendBuckets || strings.Join(a.Terms, ",") != "二手,便宜" {
		t.Fatalf("digest %+v", a)
	}
	empty := BuildDigest("weekly", nil, from, to, hk, nil, 5)
	if !strings.HasPrefix(empty.Text, "0 matches in 0 posts from 0 sources") {
		t.Fatalf("empty digest: %q", empty.Text)
	}
}
