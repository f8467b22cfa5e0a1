package sources

import (
	"os"
	"testing"
	"time"
)

func TestFeed(t *testing.T) {
	tests := []struct {
		file  string
		posts []Post
	}{
		{"rss.xml", []Post{
			{ExternalID: "news-71", Author: "陳編輯", Text: "二手 iPhone 15 交換活動\n本週六 交換 二手電話。",
				URL: "https://news.example.org/posts/71", PostedAt: time.Date(2024, 11, 20, 1, 15, 0, 0, time.UTC),
				Images: []string{"https://news.example.org/img/71.jpg"}},
			{ExternalID: "https://news.example.org/posts/70", Text: "Workshop closed on Monday\nClosed for & cleaning.",
				URL: "https://news.example.org/posts/70", PostedAt: time.Date(2024, 11, 19, 18, 0, 0, 0, time.UTC)},
		}},
		{"atom.xml", []Post{
			{ExternalID: "urn:acme:status:9", Author: "Acme Support", Text: "Refunds delayed\nRefunds are delayed by a week.",
				URL: "https://status.example.com/9", PostedAt: time.Date(2024, 11, 21, 8, 0, 0, 0, time.UTC)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/feed/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewParser(KindFeed, ParserOptions{})
			if err != nil {
				t.Fatal(err)
			}
			page, err := p.Parse(Response{Body: body})
			if err != nil || page.Verdict != VerdictOK || page.Next != "" {
				t.Fatalf("page %+v, %v", page, err)
			}
			if len(page.Posts) != len(tt.posts) {
				t.Fatalf("%d posts, want %d", len(page.Posts), len(tt.posts))
			}
			for i, want := range tt.posts {
				got := page.Posts[i]
				if got.ExternalID != want.ExternalID || got.Author != want.Author || got.Text != want.Text ||
					got.URL != want.URL || !got.PostedAt.Equal(want.PostedAt) || len(got.Images) != len(want.Images) {
					t.Errorf("post %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
		})
	}
}

func TestFeedThatIsNoFeedIsUnexpected(t *testing.T) {
	page, err := Feed{}.Parse(Response{Body: []byte("<html><title>Log in</title></html>")})
	if err != nil || page.Verdict != VerdictUnexpected || page.Body == "" {
		t.Fatalf("page %+v, %v", page, err)
	}
	if _, err := (Feed{}).Parse(Response{Body: nil}); err == nil {
		t.Fatal("an empty body must be an error")
	}
}
