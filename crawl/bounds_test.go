package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/sources"
)

// bigParser reads any body as a page of n posts.
type bigParser struct{ n int }

func (p bigParser) Parse(sources.Response) (sources.Page, error) {
	page := sources.Page{Verdict: sources.VerdictOK}
	for i := range p.n {
		page.Posts = append(page.Posts, sources.Post{ExternalID: fmt.Sprint(i)})
	}
	return page, nil
}

// bodyLen reads the body's length into one post, to see what reached the parser.
type bodyLen struct{}

func (bodyLen) Parse(r sources.Response) (sources.Page, error) {
	return sources.Page{Verdict: sources.VerdictOK, Posts: []sources.Post{{ExternalID: fmt.Sprint(len(r.Body))}}}, nil
}

// A page over the item bound is cut to it, and a body over the fetch limit is cut to it;
// both cuts are noted in the run, not silent.
func TestRunBoundsHugePagesAndNotesIt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 4096)))
	}))
	defer srv.Close()
	tests := []struct {
		name     string
		parser   sources.Parser
		maxBody  int64
		wantNew  int
		wantNote string
	}{
		{"items over the bound", bigParser{70000}, 0, DefaultMaxItemsPerPage, "page 1 had 70000 items: read the first 5000"},
		{"items within the bound", bigParser{300}, 0, 300, ""},
		{"body over the limit", bodyLen{}, 1000, 1, "page 1 was cut at the 1000-byte fetch limit"},
		{"body within the limit", bodyLen{}, 4096, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewFetcher(nil)
			if err != nil {
				t.Fatal(err)
			}
			f.MaxBody, f.Clock = tt.maxBody, &fakeClock{now: time.Now()}
			state := &fakeState{seen: map[string]bool{}}
			var published int
			r := &Runner{
				Source:  config.Source{Name: "s", URL: srv.URL, StopAfterSeen: 5, MaxPages: 1},
				Fetcher: f, Parser: tt.parser, State: state, Clock: f.Clock,
				Publish: func(_ context.Context, ps []handlers.RawPost) error { published += len(ps); return nil },
			}
			res, err := r.Run(context.Background(), Job{ID: "s@1", Source: "s"})
			if err != nil || res.New != tt.wantNew || published != tt.wantNew {
				t.Fatalf("new %d, published %d, %v; want %d", res.New, published, err, tt.wantNew)
			}
			if (tt.wantNote == "") != (res.Note == "") || !strings.Contains(res.Note, tt.wantNote) {
				t.Fatalf("note %q, want %q", res.Note, tt.wantNote)
			}
			if state.finished == nil || state.finished.Note != res.Note {
				t.Fatalf("the note did not reach the run's record: %+v", state.finished)
			}
			if tt.maxBody == 1000 && res.Posts[0].ExternalID != "1000" {
				t.Fatalf("the parser got %s bytes, want the first 1000", res.Posts[0].ExternalID)
			}
		})
	}
}
