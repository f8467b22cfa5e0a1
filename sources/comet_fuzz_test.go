package sources

import (
	"bytes"
	"testing"
	"time"
)

// FuzzCometJSON feeds the JSON walker arbitrary bytes, as an /api/graphql/ answer and as the
// JSON of a Comet page's data-sjs script. Whatever the JSON, nothing panics, the walk ends
// within its limits and the page holds together. The committed corpus is in
// testdata/fuzz/FuzzCometJSON; the Comet fixtures seed it too. Run it with
//
//	go test -run '^$' -fuzz '^FuzzCometJSON$' -fuzztime 60s -fuzzminimizetime 10s ./sources
func FuzzCometJSON(f *testing.F) {
	seedWithFixtures(f, "facebook-comet/*")
	p := newFacebook(f, nil)
	at := time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, url string) {
		values, _ := decodeJSONValues(body)
		for _, v := range values {
			w := jsonWalker{visit: func(obj map[string]any, path []any) bool {
				if len(path) > maxJSONDepth {
					t.Fatalf("walked %d deep", len(path))
				}
				storyPost(obj, nil)
				return true
			}}
			w.walk(v, nil)
			if w.nodes > maxJSONNodes {
				t.Fatalf("visited %d values", w.nodes)
			}
		}
		answer := append([]byte("for (;;);"), body...)
		page := bytes.Join([][]byte{[]byte(`<html><body><script type="application/json" data-sjs>`), body, []byte(`</script></body></html>`)}, nil)
		for _, b := range [][]byte{body, answer, page} {
			got, err := p.Parse(Response{Body: b, URL: url, FetchedAt: at})
			checkPage(t, got, err)
			if err == nil && got.Verdict != VerdictOK && (got.NextCursor != "" || got.NextQuery != nil) {
				t.Fatalf("%s page with cursor %q", got.Verdict, got.NextCursor)
			}
		}
	})
}
