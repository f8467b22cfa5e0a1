package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHTMLForumTopics(t *testing.T) {
	for _, file := range []string{"forum.yaml", "forum.json"} {
		t.Run(file, func(t *testing.T) {
			p, err := NewParser(KindHTML, ParserOptions{SelectorsFile: filepath.Join("testdata", "selectors", file)})
			if err != nil {
				t.Fatal(err)
			}
			page, err := p.Parse(Response{Body: readFixture(t, "forum/topics.html"), FetchedAt: utc(t, "2024-01-10T09:00:00Z")})
			if err != nil {
				t.Fatal(err)
			}
			if page.Verdict != VerdictOK || page.Next != "https://forum.example.org/viewforum.php?f=4&start=25" {
				t.Errorf("verdict %s, next %q", page.Verdict, page.Next)
			}
			samePosts(t, page.Posts, []Post{
				{
					ExternalID: "501", Author: "mei_l", AuthorURL: "https://forum.example.org/memberlist.php?mode=viewprofile&u=12",
					Text:     "Selling: bench vise, 4 inch\nBarely used.\nPick up in Kowloon.",
					PostedAt: utc(t, "2024-01-09T13:15:00Z"), PostedAtText: "2024-01-09T21:15:00+08:00",
					Comments: 1204, URL: "https://forum.example.org/viewtopic.php?t=501&sid=abc",
					Images: []string{"https://forum.example.org/files/thumbs/vise.jpg"},
				},
				{
					ExternalID: "502", Author: "陳大文", AuthorURL: "https://forum.example.org/memberlist.php?mode=viewprofile&u=31",
					Text: "求購：二手示波器", PostedAt: utc(t, "2024-01-08T02:00:00Z"), PostedAtText: "2024-01-08T10:00:00+08:00",
					URL: "https://forum.example.org/viewtopic.php?t=502",
				},
				{ // a time the layout does not fit: shown, not read
					ExternalID: "7", Author: "admin", AuthorURL: "https://forum.example.org/memberlist.php?mode=viewprofile&u=2",
					Text: "Read this first: forum rules", PostedAtText: "not a time", Comments: 3,
					URL: "https://forum.example.org/viewtopic.php?t=7",
				},
				{ // no id: the URL stands in
					ExternalID: "https://elsewhere.example.net/thread/abc", Text: "Cross-posted elsewhere",
					URL: "https://elsewhere.example.net/thread/abc",
				},
			})
		})
	}
}

func TestHTMLResponseURLIsTheBase(t *testing.T) {
	p, err := NewHTML(HTMLSelectors{Item: "li", URL: Field{Selector: "a"}, Next: Field{Selector: "a.next"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := `<ul><li><a href="t/1">one</a></li><li><a href="/t/2">two</a></li></ul><a class="next" href="?page=2">more</a>`
	page, err := p.Parse(Response{Body: []byte(body), URL: "https://board.example.com/f/9/"})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{page.Posts[0].ExternalID, page.Posts[1].ExternalID, page.Next}
	want := []string{"https://board.example.com/f/9/t/1", "https://board.example.com/t/2", "https://board.example.com/f/9/?page=2"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestHTMLUnexpected(t *testing.T) {
	p, err := NewHTML(HTMLSelectors{Item: "li.row", ID: Field{Attr: "id"}, Next: Field{Selector: "a.next"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := "<html><body><h1>Service Unavailable</h1></body></html>"
	page, err := p.Parse(Response{Body: []byte(body)})
	if err != nil || page.Verdict != VerdictUnexpected || page.Body != body {
		t.Fatalf("%s, %q, %v; want unexpected with the body", page.Verdict, page.Body, err)
	}
}

func TestHTMLSelectorsErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		says       []string
	}{
		{"no item", "id: {attr: id}\n", []string{"item: no selector"}},
		{"bad item", "item: 'li[class'\n", []string{`item: invalid CSS selector "li[class"`}},
		{"bad field selector and pattern", "item: li\nauthor: 'a:nth-child('\nid: {attr: href, pattern: '(['}\n",
			[]string{"author.selector: invalid CSS selector", "id.pattern:"}},
		{"unknown key", "item: li\nauthr: a\n", []string{"field authr not found"}},
		{"layout off time", "item: li\nurl: {selector: a, layout: '2006'}\n", []string{"url.layout: only time takes a layout"}},
		{"bad span", "item: li\nitem_span: -1\n", []string{"item_span: -1"}},
		{"bad zone", "item: li\ntimezone: Mars/Olympus\n", []string{"timezone:"}},
		{"bad base", "item: li\nbase_url: forum.example.org\n", []string{"base_url:"}},
		{"next without selector", "item: li\nnext: {attr: href}\n", []string{"next.selector: no selector"}},
		{"not YAML", "item: [li\n", []string{"invalid selectors file"}},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "s.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadHTMLSelectors(path)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range append(tt.says, path) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
	if _, err := LoadHTMLSelectors(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "cannot read selectors file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestNewParser(t *testing.T) {
	tests := []struct {
		kind      Kind
		selectors string
		says      string // "" means no error
	}{
		{KindFacebookGroup, "", ""},
		{KindHTML, "testdata/selectors/hn_front.yaml", ""},
		{KindHTML, "", "kind html needs a selectors file"},
		{KindFacebookGroup, "testdata/selectors/hn_front.yaml", "takes no selectors file"},
		{"reddit", "", `unknown kind "reddit": want facebook_group, html or feed`},
		{"", "", "no kind"},
	}
	for _, tt := range tests {
		_, err := NewParser(tt.kind, ParserOptions{SelectorsFile: tt.selectors})
		if (tt.says == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.says)) {
			t.Errorf("NewParser(%q, %q): %v, want %q", tt.kind, tt.selectors, err, tt.says)
		}
	}
}
