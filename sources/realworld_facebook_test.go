package sources

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every post the README lists for each Facebook reference page, with its id, author,
// displayed time, publish_time, counts and shared original, in page order.
func TestRealworldFacebookFeeds(t *testing.T) {
	dir := realworldDir(t, "facebook")
	readme := readREADME(t, dir)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	tests := []struct {
		file string
		loc  *time.Location // the zone the page shows times in
	}{
		{"m_group_117507531664134_feed_2021-06-08.html", time.UTC},
		{"m_page_Nintendo_posts_2021-06-08.html", la},
		{"m_page_Nintendo_more_cursor_2021-06-08.forjson.txt", la},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sec, ok := readme[tt.file]
			if !ok || len(sec.rows) == 0 {
				t.Fatalf("the README lists no posts for %s", tt.file)
			}
			fetched := sec.fetchedAt(t)
			page := parseReference(t, filepath.Join(dir, tt.file), fetched, tt.loc)
			if page.Verdict != VerdictOK {
				t.Errorf("verdict %s", page.Verdict)
			}
			if n := sec.fact(t, `\*\*(\d+) posts\*\*`)[1]; strconv.Itoa(len(page.Posts)) != n || len(sec.rows) != len(page.Posts) {
				t.Fatalf("%d posts, README says %s and lists %d", len(page.Posts), n, len(sec.rows))
			}
			for i, row := range sec.rows {
				// | # | post id | author | abbr text | publish_time | likes / comments / shares | shared |
				p := page.Posts[i]
				counts := strings.Split(row[5], "/")
				want := []string{row[1], row[2], row[3], row[4], strconv.Itoa(digits(counts[0])),
					strconv.Itoa(digits(counts[1])), strconv.Itoa(digits(counts[2])), row[6]}
				got := []string{p.ExternalID, p.Author, p.PostedAtText, p.PostedAt.Format(time.RFC3339),
					strconv.Itoa(p.Likes), strconv.Itoa(p.Comments), strconv.Itoa(p.Shares), p.SharedExternalID}
				if strings.Join(got, " | ") != strings.Join(want, " | ") {
					t.Errorf("post %d:\n got %s\nwant %s", i+1, strings.Join(got, " | "), strings.Join(want, " | "))
				}
				// Older markup has only the displayed time: read in the page's zone against the
				// response's Date, it must give publish_time to the minute.
				shown, err := ParseTime(p.PostedAtText, fetched, tt.loc)
				if err != nil || !shown.Equal(p.PostedAt.Truncate(time.Minute)) {
					t.Errorf("post %d: %q read as %v (%v), publish_time %v", i+1, p.PostedAtText, shown, err, p.PostedAt)
				}
				if !strings.HasPrefix(p.URL, "https://m.facebook.com/") || strings.Contains(p.URL, "_ft_") {
					t.Errorf("post %d: permalink %q", i+1, p.URL)
				}
			}
			if strings.Contains(tt.file, "_group_") {
				if want := "https://m.facebook.com" + sec.fact(t, "Next page: `([^`]+)`")[1]; page.Next != want {
					t.Errorf("next %q, want %q", page.Next, want)
				}
			} else if !strings.HasPrefix(page.Next, "https://m.facebook.com/page_content_list_view/more/?page_id=") ||
				!strings.Contains(page.Next, "start_cursor=%7B%22timeline_cursor%22") {
				t.Errorf("next %q, want the page's cursor URL", page.Next)
			}
		})
	}
}

func TestRealworldFacebookPermalink(t *testing.T) {
	dir := realworldDir(t, "facebook")
	const file = "m_group_117507531664134_permalink_1629606003787605_2021-06-08.html"
	sec := readREADME(t, dir)[file]
	post := sec.fact(t, "\\(id `(\\d+)`, author \"([^\"]+)\", abbr `([^`]+)`\\)")
	comment := sec.fact(t, "\\*\\*(\\d+) comment\\*\\* .*? with id `(\\d+)` \\(author \"([^\"]+)\", abbr `([^`]+)`\\)")
	fetched := sec.fetchedAt(t)
	page := parseReference(t, filepath.Join(dir, file), fetched, time.UTC)
	if page.Verdict != VerdictOK || len(page.Posts) != 1 {
		t.Fatalf("verdict %s, %d posts, want ok and 1", page.Verdict, len(page.Posts))
	}
	p := page.Posts[0]
	if p.ExternalID != post[1] || p.Author != post[2] || p.PostedAtText != post[3] || strconv.Itoa(p.Comments) != comment[1] {
		t.Errorf("post %s by %q at %q with %d comments; README: %v, %s comment", p.ExternalID, p.Author, p.PostedAtText, p.Comments, post[1:], comment[1])
	}
	if len(page.Comments) != 1 {
		t.Fatalf("%d comments, README says %s", len(page.Comments), comment[1])
	}
	c := page.Comments[0]
	wantAt, _ := ParseTime(comment[4], fetched, time.UTC)
	if c.ExternalID != comment[2] || c.Author != comment[3] || c.PostedAtText != comment[4] || !c.PostedAt.Equal(wantAt) || c.PostID != p.ExternalID {
		t.Errorf("comment %+v; README: %v", c, comment[2:])
	}
}

// The logged-out desktop page shows login forms beside its post: a soft wall, not a login
// wall.
func TestRealworldFacebookSoftWall(t *testing.T) {
	dir := realworldDir(t, "facebook")
	const file = "www_story_3065154550235644_loggedout_softwall_2020-05-13.html"
	sec := readREADME(t, dir)[file]
	id := sec.fact(t, "\\*\\*1 post\\*\\* \\(id `(\\d+)`\\)")[1]
	utime, _ := strconv.ParseInt(sec.fact(t, `abbr\[data-utime="(\d+)"\]`)[1], 10, 64)
	page := parseReference(t, filepath.Join(dir, file), sec.fetchedAt(t), time.UTC)
	if page.Verdict != VerdictOK || len(page.Posts) != 1 {
		t.Fatalf("verdict %s, %d posts, want ok and 1", page.Verdict, len(page.Posts))
	}
	p := page.Posts[0]
	if p.ExternalID != id || !p.PostedAt.Equal(time.Unix(utime, 0)) || p.Text == "" || p.Author == "" {
		t.Errorf("post %s at %v by %q, text %q; README: %s at %d", p.ExternalID, p.PostedAt, p.Author, p.Text, id, utime)
	}
	if !strings.HasPrefix(p.URL, "https://www.facebook.com/") {
		t.Errorf("permalink %q, want one on www.facebook.com", p.URL)
	}
}

func parseReference(t *testing.T, path string, fetched time.Time, loc *time.Location) Page {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page, err := newFacebook(t, loc).Parse(Response{Body: b, FetchedAt: fetched})
	if err != nil {
		t.Fatal(err)
	}
	return page
}
