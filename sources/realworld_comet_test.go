package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The facts of the facebook-2026 README, read from the real signed-out group page and from
// its feed payloads as an /api/graphql/ answer.
func TestRealworldComet2026Group(t *testing.T) {
	dir := realworldDir(t, "facebook-2026")
	readme := string(mustRead(t, filepath.Join(dir, "README.md")))
	// The README's own words for the facts, so that a README that changes fails here.
	for _, fact := range []string{"1692512467727525", "3954251391553610", "1480626979", "1755186337", "Brendan Sullivan",
		"Devon Taylor", "1373114781480892", "Movement Dynamics Dance Company", "16 (`reaction_count.count`",
		"https://web.facebook.com/groups/1443890352589739/posts/3954251391553610/", "has_next_page: true"} {
		if !strings.Contains(readme, fact) {
			t.Fatalf("the README no longer says %q", fact)
		}
	}
	tests := []struct {
		file, markup string
	}{
		{"www_group_1443890352589739_signedout_2026-07-29.html", MarkupComet},
		{"www_group_1443890352589739_feed_payloads.ndjson", MarkupGraphQL},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			page, err := newFacebook(t, nil).Parse(Response{Body: mustRead(t, filepath.Join(dir, tt.file))})
			if err != nil {
				t.Fatal(err)
			}
			// Ten mentions of useCometLogInFormQuery, and still not a login wall.
			if page.Verdict != VerdictOK || page.Markup != tt.markup {
				t.Fatalf("verdict %s, markup %s", page.Verdict, page.Markup)
			}
			if len(page.Posts) != 2 {
				t.Fatalf("%d posts, want the pinned post and the feed story (not the section header, not the shared original): %+v",
					len(page.Posts), page.Posts)
			}
			pinned, story := page.Posts[0], page.Posts[1]
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("pinned id", pinned.ExternalID, "1692512467727525")
			check("pinned time", pinned.PostedAt.Format(time.RFC3339), "2016-12-01T21:16:19Z")
			check("pinned author", pinned.Author, "Brendan Sullivan")
			check("pinned permalink", pinned.URL, "https://web.facebook.com/groups/1443890352589739/permalink/1692512467727525/")
			if !pinned.Pinned || pinned.Likes != 16 || pinned.Comments != 0 || pinned.Shares != 0 || pinned.SharedExternalID != "" {
				t.Errorf("pinned post: pinned %v, counts %d/%d/%d, shared %q", pinned.Pinned, pinned.Likes, pinned.Comments, pinned.Shares, pinned.SharedExternalID)
			}
			if !strings.HasPrefix(pinned.Text, "This an open forum (without an intrusive moderator)") {
				t.Errorf("pinned text %.80q", pinned.Text)
			}
			check("story id", story.ExternalID, "3954251391553610")
			check("story time", story.PostedAt.Format(time.RFC3339), "2025-08-14T15:45:37Z")
			check("story author", story.Author, "Devon Taylor")
			check("story permalink", story.URL, "https://web.facebook.com/groups/1443890352589739/posts/3954251391553610/")
			check("shared post", story.SharedExternalID, "1373114781480892")
			if story.Pinned || story.Likes != 0 || story.Comments != 0 || story.Shares != 0 {
				t.Errorf("story: pinned %v, counts %d/%d/%d", story.Pinned, story.Likes, story.Comments, story.Shares)
			}
			if !strings.HasPrefix(story.Text, "📢📢REGISTRATION NOW OPEN!") {
				t.Errorf("story text %.80q", story.Text)
			}
			// Signed out, author ids are opaque pfbid tokens, and the sharer is not the original's author.
			if !strings.HasPrefix(story.AuthorID, "pfbid") || !strings.HasPrefix(pinned.AuthorID, "pfbid") || story.AuthorURL != "" {
				t.Errorf("author ids %q %q, url %q", pinned.AuthorID, story.AuthorID, story.AuthorURL)
			}
			if len(story.Images) != 1 || !strings.Contains(story.Images[0], "fbcdn.net") {
				t.Errorf("story images %v, want the shared photo", story.Images)
			}
			if !strings.HasPrefix(page.NextCursor, "Cg8TZXhpc3RpbmdfdW5pdF9jb3VudA") {
				t.Errorf("cursor %q, want the feed's end_cursor (not the highlight units' \"3\")", page.NextCursor)
			}
			if tt.markup == MarkupComet && (page.NextQuery != nil || !strings.Contains(page.Note, "no pagination query")) {
				t.Errorf("signed out the page declares no pagination query: query %+v, note %q", page.NextQuery, page.Note)
			}
			if tt.markup == MarkupGraphQL && (page.NextQuery != nil || page.Note != "") {
				t.Errorf("a GraphQL answer has no query of its own: %+v, note %q", page.NextQuery, page.Note)
			}
		})
	}
}

func TestRealworldComet2026SecurityBlock(t *testing.T) {
	dir := realworldDir(t, "facebook-2026")
	page, err := newFacebook(t, nil).Parse(Response{Body: mustRead(t, filepath.Join(dir, "www_security_block_2026-07-29.html"))})
	if err != nil {
		t.Fatal(err)
	}
	if page.Verdict != VerdictBlocked || len(page.Posts) != 0 {
		t.Fatalf("verdict %s, %d posts", page.Verdict, len(page.Posts))
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkRealworldComet2026Group reads the real 1 MB signed-out group page (71 data-sjs
// scripts):
//
//	go test -run '^$' -bench RealworldComet -benchmem ./sources
func BenchmarkRealworldComet2026Group(b *testing.B) {
	path := filepath.Join("..", "..", "shared", "testdata", "realworld", "facebook-2026", "www_group_1443890352589739_signedout_2026-07-29.html")
	body, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("no reference page at %s: %v", path, err)
	}
	p := newFacebook(b, nil)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if page, err := p.Parse(Response{Body: body}); err != nil || len(page.Posts) != 2 {
			b.Fatalf("%d posts, %v", len(page.Posts), err)
		}
	}
}
