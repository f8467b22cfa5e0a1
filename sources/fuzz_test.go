package sources

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

// The fuzz tests feed the parsers arbitrary bytes and URLs. Beside the committed corpus in
// testdata/fuzz, every fixture page seeds them. A parser may refuse input (ErrNotHTML), but
// must not panic, and what it returns must hold together. Run them one at a time:
//
//	go test -run '^$' -fuzz '^FuzzFacebookGroup$' -fuzztime 60s -fuzzminimizetime 10s ./sources
//	go test -run '^$' -fuzz '^FuzzHTML$' -fuzztime 60s -fuzzminimizetime 10s ./sources
//
// The shorter minimize time matters: minimizing each new input otherwise takes up to a
// minute, during which the run counts no executions.

func FuzzFacebookGroup(f *testing.F) {
	seedWithFixtures(f, "facebook/*")
	seedWithFixtures(f, "facebook-comet/*")
	p := newFacebook(f, nil)
	f.Fuzz(func(t *testing.T, body []byte, url string) {
		page, err := p.Parse(Response{Body: body, URL: url, FetchedAt: time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)})
		checkPage(t, page, err)
	})
}

func FuzzHTML(f *testing.F) {
	seedWithFixtures(f, "forum/*")
	var parsers []Parser
	for _, s := range []string{"hn_front.yaml", "hn_item.yaml", "metalreview.yaml", "forum.yaml"} {
		p, err := NewParser(KindHTML, ParserOptions{SelectorsFile: filepath.Join("testdata", "selectors", s)})
		if err != nil {
			f.Fatal(err)
		}
		parsers = append(parsers, p)
	}
	f.Fuzz(func(t *testing.T, body []byte, url string) {
		for _, p := range parsers {
			page, err := p.Parse(Response{Body: body, URL: url, FetchedAt: time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)})
			checkPage(t, page, err)
		}
	})
}

func seedWithFixtures(f *testing.F, glob string) {
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures match %s: %v", glob, err)
	}
	for _, file := range files {
		rel, _ := filepath.Rel("testdata", file)
		f.Add(readFixture(f, rel), "")
	}
	f.Add([]byte("<html><body></body></html>"), "https://m.facebook.com/login/")
}

// checkPage holds a parser's answer to what every answer must be.
func checkPage(t *testing.T, page Page, err error) {
	t.Helper()
	if err != nil {
		return
	}
	switch page.Verdict {
	case VerdictOK, VerdictLoginWall, VerdictBlocked, VerdictCheckpoint, VerdictNotFound, VerdictConsent, VerdictUnexpected:
	default:
		t.Fatalf("verdict %q", page.Verdict)
	}
	if len(page.Body) > MaxKeptBody || (page.Body != "" && page.Verdict != VerdictUnexpected) {
		t.Fatalf("%d bytes of body kept on a %s page", len(page.Body), page.Verdict)
	}
	if page.Verdict != VerdictOK && (len(page.Posts) > 0 || page.Next != "") {
		t.Fatalf("%s page with %d posts, next %q", page.Verdict, len(page.Posts), page.Next)
	}
	seen := map[string]bool{}
	for _, p := range page.Posts {
		if p.ExternalID == "" || seen[p.ExternalID] {
			t.Fatalf("post id %q empty or repeated", p.ExternalID)
		}
		seen[p.ExternalID] = true
		if !p.PostedAt.IsZero() && p.PostedAt.Location() != time.UTC {
			t.Fatalf("posted_at %v not in UTC", p.PostedAt)
		}
	}
	if _, err := json.Marshal(page); err != nil {
		t.Fatalf("cannot marshal the page: %v", err)
	}
}
