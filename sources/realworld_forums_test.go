package sources

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fetchedOn is noon UTC of the day (or the first day of the year) in a reference file's
// name: the pages carry no Date header, and their relative ages are checked against this.
func fetchedOn(t *testing.T, file string) time.Time {
	t.Helper()
	day := regexp.MustCompile(`\d{4}(-\d{2}-\d{2})?`).FindString(file)
	if len(day) == 4 {
		day += "-01-01"
	}
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(12 * time.Hour)
}

func parseForum(t *testing.T, dir, file, selectors string) Page {
	t.Helper()
	p, err := NewParser(KindHTML, ParserOptions{SelectorsFile: filepath.Join("testdata", "selectors", selectors)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	page, err := p.Parse(Response{Body: b, FetchedAt: fetchedOn(t, file)})
	if err != nil {
		t.Fatal(err)
	}
	if page.Verdict != VerdictOK {
		t.Fatalf("verdict %s", page.Verdict)
	}
	return page
}

func ids(posts []Post) string {
	var out []string
	for _, p := range posts {
		out = append(out, p.ExternalID)
	}
	return strings.Join(out, ", ")
}

func TestRealworldHackerNewsFrontPage(t *testing.T) {
	dir := realworldDir(t, "forums")
	const file = "hn_frontpage_2019-09-03.html"
	sec := readREADME(t, dir)[file]
	page := parseForum(t, dir, file, "hn_front.yaml")

	if want := sec.fact(t, `Story ids in order: ([\d, ]+)\.`)[1]; ids(page.Posts) != want {
		t.Errorf("ids\n%s\nwant\n%s", ids(page.Posts), want)
	}
	if n := sec.fact(t, `\*\*(\d+) stories\*\*`)[1]; strconv.Itoa(len(page.Posts)) != n {
		t.Errorf("%d stories, README says %s", len(page.Posts), n)
	}
	first := sec.fact(t, `The first is "([^"]+)" \((\d+) points, (\S+), (\d+) comments\)`)
	p := page.Posts[0]
	if p.Text != first[1] || strconv.Itoa(p.Likes) != first[2] || p.Author != first[3] || strconv.Itoa(p.Comments) != first[4] {
		t.Errorf("first story %q, %d points, by %s, %d comments; README: %q", p.Text, p.Likes, p.Author, p.Comments, first[1:])
	}
	if p.URL == "" || !strings.HasPrefix(p.AuthorURL, "https://news.ycombinator.com/user?id=") {
		t.Errorf("first story links %q, %q", p.URL, p.AuthorURL)
	}
	// "6 hours ago" (the README's example of .age) against the fetch time.
	if p.PostedAtText != "6 hours ago" || !p.PostedAt.Equal(fetchedOn(t, file).Add(-6*time.Hour)) {
		t.Errorf("first story posted %q = %v", p.PostedAtText, p.PostedAt)
	}
	last := sec.fact(t, `The last is rank (\d+), "([^"]+)" \((\d+) comment\)`)
	p = page.Posts[len(page.Posts)-1]
	if strconv.Itoa(len(page.Posts)) != last[1] || p.Text != last[2] || strconv.Itoa(p.Comments) != last[3] {
		t.Errorf("last story (of %d) %q, %d comments; README: %q", len(page.Posts), p.Text, p.Comments, last[1:])
	}
	jobs := 0
	for i, p := range page.Posts {
		if p.Author == "" && p.Likes == 0 && p.Comments == 0 {
			jobs++ // a job ad: no author, points or comments
		} else if p.Author == "" || p.Likes == 0 {
			t.Errorf("story %d (%s): author %q, %d points", i+1, p.ExternalID, p.Author, p.Likes)
		}
		if p.PostedAt.IsZero() || p.URL == "" || p.Text == "" {
			t.Errorf("story %d (%s): time %q, url %q, title %q", i+1, p.ExternalID, p.PostedAtText, p.URL, p.Text)
		}
	}
	if jobs > 1 {
		t.Errorf("%d stories without author, points or comments", jobs)
	}
	if want := "https://news.ycombinator.com/" + sec.fact(t, "`a.morelink` → `([^`]+)`")[1]; page.Next != want {
		t.Errorf("next %q, want %q", page.Next, want)
	}
}

func TestRealworldHackerNewsThread(t *testing.T) {
	dir := realworldDir(t, "forums")
	const file = "hn_item_20865492_comments_2019-09-03.html"
	sec := readREADME(t, dir)[file]
	page := parseForum(t, dir, file, "hn_item.yaml")

	if want := sec.fact(t, `Comment ids in order: ([\d, ]+)\.`)[1]; ids(page.Posts) != want {
		t.Errorf("ids\n%s\nwant\n%s", ids(page.Posts), want)
	}
	if n := sec.fact(t, `\*\*(\d+) comments\*\*`)[1]; strconv.Itoa(len(page.Posts)) != n {
		t.Errorf("%d comments, README says %s", len(page.Posts), n)
	}
	if age := sec.fact(t, "`.age` \\(\"([^\"]+)\"\\)")[1]; page.Posts[0].PostedAtText != age {
		t.Errorf("first comment's age %q, README's example %q", page.Posts[0].PostedAtText, age)
	}
	for i, p := range page.Posts {
		if p.Author == "" || p.Text == "" || p.PostedAt.IsZero() || !strings.HasSuffix(p.URL, "item?id="+p.ExternalID) {
			t.Errorf("comment %d (%s): author %q, %d bytes of text, time %q, url %q", i+1, p.ExternalID, p.Author, len(p.Text), p.PostedAtText, p.URL)
		}
	}
}

func TestRealworldMetalreview(t *testing.T) {
	dir := realworldDir(t, "forums")
	const file = "metalreview_home_2012.html"
	sec := readREADME(t, dir)[file]
	page := parseForum(t, dir, file, "metalreview.yaml")

	listed := regexp.MustCompile(`(\d+) ([^,()]+?) – ([^()]+?) \((\d+\.\d)\)`).FindAllStringSubmatch(sec.text, -1)
	if n := sec.fact(t, `\*\*(\d+) items\*\*`)[1]; strconv.Itoa(len(listed)) != n || len(page.Posts) != len(listed) {
		t.Fatalf("%d items, README says %s and lists %d", len(page.Posts), n, len(listed))
	}
	for i, l := range listed {
		p := page.Posts[i]
		want := strings.Join([]string{l[2], l[3], l[4]}, "\n")
		if p.ExternalID != l[1] || p.Text != want || !strings.Contains(p.URL, "/reviews/"+l[1]+"/") || len(p.Images) != 1 {
			t.Errorf("item %d: %s %q %s %v; README: %s %q", i+1, p.ExternalID, p.Text, p.URL, p.Images, l[1], want)
		}
	}
}
