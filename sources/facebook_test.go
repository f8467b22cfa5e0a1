package sources

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFacebookGroupFeed(t *testing.T) {
	page, err := newFacebook(t, nil).Parse(Response{
		Body:      readFixture(t, "facebook/group_feed.html"),
		URL:       "https://m.facebook.com/groups/8100000000000001/",
		FetchedAt: utc(t, "2024-01-10T09:00:00Z"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if page.Verdict != VerdictOK {
		t.Errorf("verdict %s, want ok", page.Verdict)
	}
	if want := "https://m.facebook.com/groups/8100000000000001?bac=U1lOVEhFVElDOjkxMDAwMDAwMDAwMDAwMDU%3D&multi_permalinks&refid=18"; page.Next != want {
		t.Errorf("next %q, want %q", page.Next, want)
	}
	samePosts(t, page.Posts, []Post{
		{ // pinned, outside the stories container; "… More" with the hidden text in two places
			ExternalID: "9100000000000001", Author: "Mei Lam", AuthorURL: "https://m.facebook.com/mei.lam.777",
			AuthorID: "700000001",
			Text: "Welcome to the swap! Post what you have and what you need, with a price or a trade.\n" +
				"Be kind, answer messages, and meet in public places. Bring the item to the meeting so it can be checked.\n" +
				"Rules:\n1. No shops.\n2. No weapons.",
			PostedAt: utc(t, "2020-01-01T12:00:00Z"), PostedAtText: "1 January 2020 at 12:00",
			Likes: 1334, Comments: 56, Shares: 12,
			URL: "https://m.facebook.com/groups/harbourmakers/permalink/9100000000000001/",
		},
		{ // CJK text, line breaks, two photos, "1.2K"
			ExternalID: "9100000000000002", Author: "陳小明", AuthorURL: "https://m.facebook.com/profile.php?id=700000002",
			AuthorID: "700000002",
			Text:     "出售 二手 3D 打印機，九成新。\nSelling a used 3D printer, works fine.\nHK$1,200 or swap for a soldering station.",
			PostedAt: utc(t, "2024-01-10T08:00:00Z"), PostedAtText: "10 January at 08:00",
			Likes: 1200, Comments: 1, Shares: 1,
			URL:    "https://m.facebook.com/groups/harbourmakers/permalink/9100000000000002/",
			Images: []string{"https://scontent.example.net/v/printer-front.jpg?x=1&y=2", "https://scontent.example.net/v/printer-side.jpg"},
		},
		{ // the "More" link after the element holding the "…"
			ExternalID: "9100000000000003", Author: "Ravi Kumar", AuthorURL: "https://m.facebook.com/ravi.k.example",
			AuthorID: "700000003",
			Text:     "The guide to fixing worn drill chucks is here: https://example.org/chucks\nTell me if the pictures help.",
			PostedAt: utc(t, "2024-01-09T09:00:00Z"), PostedAtText: "9 January at 09:00",
			Likes: 18, Comments: 4,
			URL: "https://m.facebook.com/groups/harbourmakers/permalink/9100000000000003/",
		},
		{ // a shared post shown inside: its text, time, counts and picture are not this post's
			ExternalID: "9100000000000004", Author: "Ana Souza", AuthorURL: "https://m.facebook.com/ana.souza.example",
			AuthorID: "700000004", Text: "Free workshop this Saturday!",
			PostedAt: utc(t, "2024-01-08T09:00:00Z"), PostedAtText: "8 January at 09:00",
			Likes: 3, URL: "https://m.facebook.com/groups/harbourmakers/permalink/9100000000000004/",
			SharedExternalID: "4400000000000001",
		},
		{ // data-ft written with &quot; as Facebook does; no counts at all
			ExternalID: "9100000000000005", Author: "Tom Baker", AuthorURL: "https://m.facebook.com/tom.baker.example",
			AuthorID: "700000005", Text: "Anyone have a spare M3 tap? Will pay & bring coffee.",
			PostedAt: utc(t, "2024-01-07T09:00:00Z"), PostedAtText: "7 January at 09:00",
			URL: "https://m.facebook.com/groups/harbourmakers/permalink/9100000000000005/",
		},
	})
}

// Older markup has no publish_time: the header's displayed time, read against the fetch
// time, is all there is.
func TestFacebookOlderMarkupTimes(t *testing.T) {
	page, err := newFacebook(t, nil).Parse(Response{
		Body:      readFixture(t, "facebook/group_feed_old.html"),
		FetchedAt: utc(t, "2024-01-10T08:00:00Z"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, shown, at string }{
		{"9200000000000001", "Just now", "2024-01-10T08:00:00Z"},
		{"9200000000000002", "5 mins", "2024-01-10T07:55:00Z"},
		{"9200000000000003", "9 hrs", "2024-01-09T23:00:00Z"},
		{"9200000000000004", "Yesterday at 15:28", "2024-01-09T15:28:00Z"},
		{"9200000000000005", "May 13 at 6:58 AM", "2023-05-13T06:58:00Z"}, // not May 2024: the future
		{"9200000000000006", "20 May at 01:10", "2023-05-20T01:10:00Z"},
		{"9200000000000007", "April 3, 2018 at 8:02 PM", "2018-04-03T20:02:00Z"},
		{"9200000000000008", "3 April 2018 at 20:02", "2018-04-03T20:02:00Z"},
		{"9200000000000009", "2 yrs", "2022-01-10T08:00:00Z"},
		{"9200000000000010", "not a time", ""}, // id from data-store: its data-ft is cut short
	}
	if len(page.Posts) != len(want) {
		t.Fatalf("%d posts, want %d", len(page.Posts), len(want))
	}
	for i, w := range want {
		p := page.Posts[i]
		var at string
		if !p.PostedAt.IsZero() {
			at = p.PostedAt.Format(time.RFC3339)
		}
		if p.ExternalID != w.id || p.PostedAtText != w.shown || at != w.at {
			t.Errorf("post %d: %s %q %s, want %s %q %s", i, p.ExternalID, p.PostedAtText, at, w.id, w.shown, w.at)
		}
	}
	if page.Posts[4].Author != "Jo Smith" || page.Posts[4].Likes != 5 || page.Posts[4].AuthorID != "700000105" {
		t.Errorf("post 5: %+v", page.Posts[4])
	}
	if want := "https://m.facebook.com/groups/harbourmakers?bac=T0xEOjkyMDA%3D&refid=18"; page.Next != want {
		t.Errorf("next %q, want %q", page.Next, want)
	}
}

func TestFacebookVerdicts(t *testing.T) {
	tests := []struct {
		name, file, url string
		want            Verdict
	}{
		{"feed", "group_feed.html", "", VerdictOK},
		{"soft login wall: login forms beside a post", "www_story_softwall.html", "", VerdictOK},
		{"logged-out banner above a post", "permalink.html", "", VerdictOK},
		{"login title", "login_wall.html", "", VerdictLoginWall},
		{"only a login form", "login_form_only.html", "", VerdictLoginWall},
		{"redirected to /login", "unexpected.html", "https://m.facebook.com/login/?next=https%3A%2F%2Fm.facebook.com%2Fgroups%2F1", VerdictLoginWall},
		{"redirected to login.php", "group_feed.html", "https://www.facebook.com/login.php?next=x", VerdictLoginWall},
		{"temporarily blocked, typographic apostrophe", "blocked.html", "", VerdictBlocked},
		{"feature blocked", "blocked_feature.html", "", VerdictBlocked},
		{"blocked, said only in the text", "blocked_body_only.html", "", VerdictBlocked},
		{"checkpoint heading", "checkpoint.html", "", VerdictCheckpoint},
		{"checkpoint form", "checkpoint_form.html", "", VerdictCheckpoint},
		{"checkpoint URL", "unexpected.html", "https://m.facebook.com/checkpoint/828281030927956/?next=x", VerdictCheckpoint},
		{"not found", "not_found.html", "", VerdictNotFound},
		{"consent page", "consent.html", "", VerdictConsent},
		{"consent URL", "unexpected.html", "https://m.facebook.com/cookie/consent-page/?next=x", VerdictConsent},
		{"unexpected", "unexpected.html", "https://m.facebook.com/groups/8100000000000001/", VerdictUnexpected},
	}
	f := newFacebook(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := readFixture(t, "facebook/"+tt.file)
			page, err := f.Parse(Response{Body: body, URL: tt.url, FetchedAt: utc(t, "2024-01-10T09:00:00Z")})
			if err != nil {
				t.Fatal(err)
			}
			if page.Verdict != tt.want {
				t.Fatalf("verdict %s, want %s", page.Verdict, tt.want)
			}
			if tt.want != VerdictOK && len(page.Posts) > 0 {
				t.Errorf("%d posts on a %s page", len(page.Posts), tt.want)
			}
			if keeps := tt.want == VerdictUnexpected; keeps != (page.Body != "") {
				t.Errorf("body kept: %v, want %v", page.Body != "", keeps)
			}
			if tt.want == VerdictUnexpected && page.Body != string(body) {
				t.Errorf("kept body differs from the page")
			}
		})
	}
}

func TestFacebookUnexpectedBodyIsBounded(t *testing.T) {
	body := "<html><body><p>" + strings.Repeat("日本語テキスト ", 20000) + "</p></body></html>"
	page, err := newFacebook(t, nil).Parse(Response{Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	if page.Verdict != VerdictUnexpected || len(page.Body) > MaxKeptBody || len(page.Body) < MaxKeptBody-4 {
		t.Fatalf("verdict %s, %d bytes kept", page.Verdict, len(page.Body))
	}
	if !strings.HasPrefix(body, page.Body) || !utf8Valid(page.Body) {
		t.Fatal("the kept body is not the start of the page, cut at a character")
	}
}

func TestFacebookPageFeedAndCursor(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	f := newFacebook(t, la)
	tests := []struct {
		file, id, author, shown, at, next string
		likes, comments                   int
	}{
		{
			"page_feed.html", "4400000000000002", "Kowloon Makerspace", "4 January at 23:00", "2024-01-05T07:00:00Z",
			"https://m.facebook.com/page_content_list_view/more/?page_id=6600000000000001&start_cursor=%7B%22timeline_cursor%22%3A%22U1lOVEhFVElD%22%2C%22has_next_page%22%3Atrue%7D&num_to_fetch=4&surface_type=posts_tab",
			3788, 577,
		},
		{
			"page_more_cursor.forjson.txt", "4400000000000003", "Kowloon Makerspace", "4 January at 01:00", "2024-01-04T09:00:00Z",
			"https://m.facebook.com/page_content_list_view/more/?page_id=6600000000000001&start_cursor=%7B%22timeline_cursor%22%3A%22TkVYVA%22%7D&num_to_fetch=4&surface_type=posts_tab",
			305, 313,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			page, err := f.Parse(Response{Body: readFixture(t, "facebook/"+tt.file), FetchedAt: utc(t, "2024-01-10T09:00:00Z")})
			if err != nil {
				t.Fatal(err)
			}
			if page.Verdict != VerdictOK || len(page.Posts) != 1 {
				t.Fatalf("verdict %s, %d posts", page.Verdict, len(page.Posts))
			}
			p := page.Posts[0]
			if p.ExternalID != tt.id || p.Author != tt.author || p.PostedAtText != tt.shown ||
				p.PostedAt.Format(time.RFC3339) != tt.at || p.Likes != tt.likes || p.Comments != tt.comments {
				t.Errorf("post %+v", p)
			}
			// The displayed time, read in the page's time zone, agrees with publish_time.
			if shown, err := ParseTime(p.PostedAtText, utc(t, "2024-01-10T09:00:00Z"), la); err != nil || !shown.Equal(p.PostedAt) {
				t.Errorf("%q read as %v (%v), publish_time %v", p.PostedAtText, shown, err, p.PostedAt)
			}
			if page.Next != tt.next {
				t.Errorf("next\n%s\nwant\n%s", page.Next, tt.next)
			}
		})
	}
}

func TestFacebookCursorErrors(t *testing.T) {
	f := newFacebook(t, nil)
	page, err := f.Parse(Response{Body: []byte(`for (;;);{"__ar":1,"error":1357001,"errorSummary":"Not Logged In","errorDescription":"Please log in to continue.","payload":null}`)})
	if err != nil || page.Verdict != VerdictLoginWall {
		t.Errorf("not-logged-in cursor: %s, %v; want login_wall", page.Verdict, err)
	}
	page, err = f.Parse(Response{Body: []byte(`for (;;);{"__ar":1,"error":1389001,"errorSummary":"Something went wrong"}`)})
	if err != nil || page.Verdict != VerdictUnexpected || page.Body == "" {
		t.Errorf("other cursor error: %s, %v; want unexpected with the body", page.Verdict, err)
	}
	_, err = f.Parse(Response{Body: []byte(`for (;;);{"payload":{"actions":[`)})
	if !errors.Is(err, ErrNotHTML) || !strings.Contains(err.Error(), "cursor response") {
		t.Errorf("broken cursor JSON: %v", err)
	}
}

func TestFacebookPermalinkComments(t *testing.T) {
	page, err := newFacebook(t, nil).Parse(Response{
		Body:      readFixture(t, "facebook/permalink.html"),
		URL:       "https://m.facebook.com/groups/harbourmakers/permalink/9100000000000002/",
		FetchedAt: utc(t, "2024-01-10T09:00:00Z"),
	})
	if err != nil {
		t.Fatal(err)
	}
	samePosts(t, page.Posts, []Post{{
		ExternalID: "9100000000000002", Author: "陳小明", AuthorURL: "https://m.facebook.com/profile.php?id=700000002",
		AuthorID: "700000002", Text: "出售 二手 3D 打印機，九成新。\nSelling a used 3D printer, works fine.",
		PostedAt: utc(t, "2024-01-10T08:00:00Z"), PostedAtText: "10 January at 08:00",
		Comments: 2, // no counts footer: the comments shown
		URL:      "https://m.facebook.com/groups/harbourmakers/permalink/9100000000000002/",
	}})
	want := []Comment{
		{ExternalID: "9300000000000001", PostID: "9100000000000002", Author: "Ana Souza",
			Text: "Is it still available? I can pick it up on Friday.", PostedAt: utc(t, "2024-01-10T00:00:00Z"), PostedAtText: "9 hrs"},
		{ExternalID: "9300000000000002", PostID: "9100000000000002", Author: "Ravi Kumar", AuthorURL: "https://m.facebook.com/ravi.k.example",
			Text: "Swap for my old multimeter?", PostedAt: utc(t, "2022-01-10T09:00:00Z"), PostedAtText: "2 yrs"},
	}
	if len(page.Comments) != len(want) {
		t.Fatalf("%d comments, want %d", len(page.Comments), len(want))
	}
	for i := range want {
		if page.Comments[i] != want[i] {
			t.Errorf("comment %d:\n%+v\nwant\n%+v", i, page.Comments[i], want[i])
		}
	}
}

func TestFacebookDesktopSoftWall(t *testing.T) {
	page, err := newFacebook(t, nil).Parse(Response{Body: readFixture(t, "facebook/www_story_softwall.html"), FetchedAt: utc(t, "2024-01-10T09:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if page.Verdict != VerdictOK {
		t.Fatalf("verdict %s", page.Verdict)
	}
	samePosts(t, page.Posts, []Post{{
		ExternalID: "4400000000000001", Author: "Kowloon Makerspace", AuthorURL: "https://www.facebook.com/makerspace.example/",
		AuthorID: "6600000000000001",
		Text:     "Open day: bring a broken gadget and we fix it together.\nTools provided. https://example.org/open-day",
		PostedAt: utc(t, "2024-01-07T04:00:00Z"), PostedAtText: "3 days",
		URL:    "https://www.facebook.com/makerspace.example/posts/4400000000000001",
		Images: []string{"https://scontent.example.net/v/open-day-poster.jpg"},
	}})
}

func TestParseRejectsWhatIsNoPage(t *testing.T) {
	tests := []struct {
		name, body, says string
	}{
		{"empty", "", "empty"},
		{"blank", " \n\t ", "empty"},
		{"gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"},
		{"binary", "PK\x03\x04\x00\x00binary", "binary"},
	}
	html, err := NewHTML(HTMLSelectors{Item: "li"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Parser{newFacebook(t, nil), html} {
		for _, tt := range tests {
			_, err := p.Parse(Response{Body: []byte(tt.body)})
			if !errors.Is(err, ErrNotHTML) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("%T %s: %v, want ErrNotHTML saying %q", p, tt.name, err, tt.says)
			}
		}
	}
}

func TestNewFacebookGroupNamesBadSelector(t *testing.T) {
	s := DefaultFacebookSelectors()
	s.Author = "h3 strong a["
	s.PageMoreCursor = "("
	if _, err := NewFacebookGroup(FacebookOptions{Selectors: &s}); err == nil || !strings.Contains(err.Error(), "Author") {
		t.Fatalf("error %v, want one naming Author", err)
	}
	s = DefaultFacebookSelectors()
	s.PageMoreCursor = "page_content_list_view"
	if _, err := NewFacebookGroup(FacebookOptions{Selectors: &s}); err == nil || !strings.Contains(err.Error(), "no group") {
		t.Fatalf("error %v, want one about the missing group", err)
	}
}

// One parser serves every fetch of a source, from several goroutines at once.
func TestParsersAreSafeForConcurrentUse(t *testing.T) {
	html, err := NewParser(KindHTML, ParserOptions{SelectorsFile: "testdata/selectors/forum.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	runs := []struct {
		p    Parser
		body []byte
	}{
		{newFacebook(t, nil), readFixture(t, "facebook/group_feed.html")},
		{html, readFixture(t, "forum/topics.html")},
	}
	for _, r := range runs {
		want, err := r.p.Parse(Response{Body: r.body, FetchedAt: utc(t, "2024-01-10T09:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan Page, 4)
		for range 4 {
			go func() {
				page, _ := r.p.Parse(Response{Body: r.body, FetchedAt: utc(t, "2024-01-10T09:00:00Z")})
				done <- page
			}()
		}
		for range 4 {
			if got := <-done; len(got.Posts) != len(want.Posts) || got.Next != want.Next {
				t.Errorf("%T: a concurrent parse read %d posts, next %q", r.p, len(got.Posts), got.Next)
			}
		}
	}
}
