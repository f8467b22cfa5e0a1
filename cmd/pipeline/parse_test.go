package main_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// parsed is the JSON `pipeline parse` prints.
type parsed struct {
	Verdict string `json:"verdict"`
	Next    string `json:"next"`
	Posts   []struct {
		ExternalID       string   `json:"external_id"`
		Author           string   `json:"author"`
		AuthorURL        string   `json:"author_url"`
		Text             string   `json:"text"`
		PostedAt         string   `json:"posted_at"`
		PostedAtText     string   `json:"posted_at_text"`
		Likes            int      `json:"likes"`
		Comments         int      `json:"comments"`
		Shares           int      `json:"shares"`
		URL              string   `json:"url"`
		Images           []string `json:"images"`
		SharedExternalID string   `json:"shared_external_id"`
		Pinned           bool     `json:"pinned"`
	} `json:"posts"`
	Body       string `json:"body"`
	Markup     string `json:"markup"`
	NextCursor string `json:"next_cursor"`
	NextQuery  *struct {
		FriendlyName string         `json:"friendly_name"`
		DocID        string         `json:"doc_id"`
		Variables    map[string]any `json:"variables"`
	} `json:"next_query"`
	Note string `json:"note"`
}

func parseOutput(t *testing.T, r result) parsed {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("not one JSON line:\n%s", r.stdout)
	}
	var p parsed
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	for _, key := range []string{`"external_id"`, `"author_url"`, `"posted_at_text"`, `"images"`, `"shared_external_id"`} {
		if len(p.Posts) > 0 && !strings.Contains(r.stdout, key) {
			t.Errorf("output lacks %s", key)
		}
	}
	return p
}

func TestParseFacebookGroupPage(t *testing.T) {
	r := run(t, t.TempDir(), nil, "parse", "--kind", "facebook_group", "--fetched-at", "2024-01-10T09:00:00+01:00",
		repoFile(t, "sources/testdata/facebook/group_feed.html"))
	p := parseOutput(t, r)
	if p.Verdict != "ok" || len(p.Posts) != 5 || !strings.HasPrefix(p.Next, "https://m.facebook.com/groups/8100000000000001?bac=") {
		t.Fatalf("verdict %s, %d posts, next %q", p.Verdict, len(p.Posts), p.Next)
	}
	if p.Markup != "m_site" || strings.Contains(r.stdout, `"pinned"`) || strings.Contains(r.stdout, `"next_query"`) {
		t.Errorf("markup %q; m.facebook.com output gained fields: %.200s", p.Markup, r.stdout)
	}
	first := p.Posts[0]
	if first.ExternalID != "9100000000000001" || first.Likes != 1334 || first.PostedAt != "2020-01-01T12:00:00Z" ||
		!strings.HasSuffix(first.Text, "2. No weapons.") || strings.Contains(first.Text, "More") {
		t.Errorf("first post %+v", first)
	}
	if p.Posts[3].SharedExternalID != "4400000000000001" || len(p.Posts[1].Images) != 2 || p.Posts[0].Images == nil {
		t.Errorf("shared %q, images %v / %v", p.Posts[3].SharedExternalID, p.Posts[1].Images, p.Posts[0].Images)
	}
	if !strings.Contains(r.stdout, "&multi_permalinks") {
		t.Errorf("& escaped in the output:\n%s", r.stdout)
	}
}

// Without --fetched-at, relative times are read against the file's modification time.
func TestParseFetchedAtDefaultsToModificationTime(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "old.html")
	b, err := os.ReadFile(repoFile(t, "sources/testdata/facebook/group_feed_old.html"))
	if err != nil {
		t.Fatal(err)
	}
	modified := time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)
	if err := os.WriteFile(page, b, 0o644); err != nil || os.Chtimes(page, modified, modified) != nil {
		t.Fatal("cannot write the page")
	}
	p := parseOutput(t, run(t, dir, nil, "parse", "--kind", "facebook_group", page))
	if got := p.Posts[2]; got.PostedAtText != "9 hrs" || got.PostedAt != "2024-01-09T23:00:00Z" {
		t.Errorf("%q read as %s, want 2024-01-09T23:00:00Z", got.PostedAtText, got.PostedAt)
	}
}

func TestParseVerdicts(t *testing.T) {
	tests := []struct {
		file, url, want string
	}{
		{"blocked.html", "", "blocked"},
		{"login_wall.html", "", "login_wall"},
		{"unexpected.html", "https://m.facebook.com/login/?next=x", "login_wall"},
		{"unexpected.html", "", "unexpected"},
	}
	for _, tt := range tests {
		args := []string{"parse", "--kind", "facebook_group", repoFile(t, "sources/testdata/facebook/"+tt.file)}
		if tt.url != "" {
			args = append(args, "--url", tt.url)
		}
		p := parseOutput(t, run(t, t.TempDir(), nil, args...))
		if p.Verdict != tt.want || len(p.Posts) != 0 || (tt.want == "unexpected") != (p.Body != "") {
			t.Errorf("%s %s: verdict %s, %d posts, %d bytes of body; want %s", tt.file, tt.url, p.Verdict, len(p.Posts), len(p.Body), tt.want)
		}
	}
}

func TestParseHTMLWithSelectors(t *testing.T) {
	r := run(t, t.TempDir(), nil, "parse", "--kind", "html", "--fetched-at", "2024-01-10T09:00:00Z",
		"--selectors", repoFile(t, "sources/testdata/selectors/forum.yaml"), repoFile(t, "sources/testdata/forum/topics.html"))
	p := parseOutput(t, r)
	if p.Verdict != "ok" || len(p.Posts) != 4 || p.Next != "https://forum.example.org/viewforum.php?f=4&start=25" {
		t.Fatalf("verdict %s, %d posts, next %q", p.Verdict, len(p.Posts), p.Next)
	}
	if got := p.Posts[0]; got.ExternalID != "501" || got.Author != "mei_l" || got.PostedAt != "2024-01-09T13:15:00Z" || got.Comments != 1204 {
		t.Errorf("first topic %+v", got)
	}
}

func TestParseStandardInput(t *testing.T) {
	cmd := exec.Command(binary, "parse", "--kind", "facebook_group", "-")
	cmd.Stdin = strings.NewReader("<html><head><title>You’re Temporarily Blocked</title></head></html>")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"verdict":"blocked"`) {
		t.Errorf("output %s", out)
	}
}

func TestParseErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.html")
	os.WriteFile(empty, nil, 0o644)
	badSelectors := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badSelectors, []byte("item: 'li['\n"), 0o644)
	page := repoFile(t, "sources/testdata/facebook/group_feed.html")
	tests := []struct {
		args []string
		says string
	}{
		{[]string{page}, "no --kind"},
		{[]string{"--kind", "reddit", page}, `unknown kind "reddit"`},
		{[]string{"--kind", "html", page}, "--kind html needs --selectors FILE"},
		{[]string{"--kind", "facebook_group", "--selectors", badSelectors, page}, "--selectors is only for --kind html"},
		{[]string{"--kind", "html", "--selectors", badSelectors, page}, `item: invalid CSS selector "li["`},
		{[]string{"--kind", "facebook_group", "--fetched-at", "yesterday", page}, `invalid --fetched-at "yesterday"`},
		{[]string{"--kind", "facebook_group", "--timezone", "Mars/Olympus", page}, `invalid --timezone "Mars/Olympus"`},
		{[]string{"--kind", "facebook_group", filepath.Join(dir, "missing.html")}, "cannot read page"},
		{[]string{"--kind", "facebook_group", empty}, "not an HTML page: the body is empty"},
		{[]string{"--kind", "facebook_group"}, "accepts 1 arg"},
	}
	for _, tt := range tests {
		r := run(t, dir, nil, append([]string{"parse"}, tt.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.says) || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 saying %q", tt.args, r.code, r.stderr, tt.says)
		}
	}
}

func TestParseHelpHasExamples(t *testing.T) {
	r := run(t, t.TempDir(), nil, "parse", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "--selectors") {
		t.Fatalf("exit %d:\n%s", r.code, r.stdout)
	}
}

// A www.facebook.com page: its stories from the data-sjs JSON, the markup, the feed's cursor
// and the declared pagination query, whose tokens are never printed.
func TestParseFacebookCometPage(t *testing.T) {
	r := run(t, t.TempDir(), nil, "parse", "--kind", "facebook_group", "--url", "https://www.facebook.com/groups/8100000000000001/",
		repoFile(t, "sources/testdata/facebook-comet/group_page.html"))
	p := parseOutput(t, r)
	if p.Verdict != "ok" || p.Markup != "comet" || len(p.Posts) != 4 || !strings.HasPrefix(p.NextCursor, "Cg8TZXhpc3Rpbmdf") {
		t.Fatalf("verdict %s, markup %s, %d posts, cursor %q", p.Verdict, p.Markup, len(p.Posts), p.NextCursor)
	}
	if !p.Posts[0].Pinned || p.Posts[1].Pinned || p.Posts[1].Likes != 1200 || p.Posts[2].Author != "陳大文" ||
		p.Posts[3].SharedExternalID != "4400000000000001" || p.Posts[0].PostedAt != "2020-01-01T12:00:00Z" {
		t.Errorf("posts %+v", p.Posts)
	}
	q := p.NextQuery
	if q == nil || q.FriendlyName != "GroupsCometFeedRegularStoriesPaginationQuery" || q.DocID != "7392323987463765" ||
		q.Variables["id"] != "8100000000000001" || q.Variables["sortingSetting"] != "CHRONOLOGICAL" {
		t.Fatalf("next_query %+v", q)
	}
	for _, secret := range []string{"DTSG_SECRET_q9", "LSD_TOKEN_x7", "fb_dtsg", "tokens"} {
		if strings.Contains(r.stdout, secret) {
			t.Errorf("the output holds %q", secret)
		}
	}
}

// A saved /api/graphql/ answer (for (;;); and NDJSON) reads as the crawler reads later pages.
func TestParseGraphQLAnswer(t *testing.T) {
	p := parseOutput(t, run(t, t.TempDir(), nil, "parse", "--kind", "facebook_group",
		repoFile(t, "sources/testdata/facebook-comet/graphql_page2.ndjson")))
	if p.Verdict != "ok" || p.Markup != "graphql" || len(p.Posts) != 2 || p.Posts[0].Likes != 1500000 ||
		!strings.HasSuffix(p.NextCursor, "-3") || p.NextQuery != nil {
		t.Fatalf("verdict %s, markup %s, %d posts, cursor %q", p.Verdict, p.Markup, len(p.Posts), p.NextCursor)
	}
	blocked := parseOutput(t, run(t, t.TempDir(), nil, "parse", "--kind", "facebook_group",
		repoFile(t, "sources/testdata/facebook-comet/graphql_error.json")))
	if blocked.Verdict != "blocked" || !strings.Contains(blocked.Note, "Rate limit exceeded") {
		t.Errorf("error answer: verdict %s, note %q", blocked.Verdict, blocked.Note)
	}
}

// The real pages of 2026, when the shared reference pages are beside the checkout.
func TestParseRealworldComet2026(t *testing.T) {
	dir := repoFile(t, "../shared/testdata/realworld/facebook-2026")
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Skipf("no reference pages at %s: %v", dir, err)
	}
	tests := []struct {
		file, verdict, markup string
		posts                 int
	}{
		{"www_group_1443890352589739_signedout_2026-07-29.html", "ok", "comet", 2},
		{"www_group_1443890352589739_feed_payloads.ndjson", "ok", "graphql", 2},
		{"www_security_block_2026-07-29.html", "blocked", "", 0},
	}
	for _, tt := range tests {
		p := parseOutput(t, run(t, t.TempDir(), nil, "parse", "--kind", "facebook_group", filepath.Join(dir, tt.file)))
		if p.Verdict != tt.verdict || p.Markup != tt.markup || len(p.Posts) != tt.posts {
			t.Errorf("%s: verdict %s, markup %s, %d posts", tt.file, p.Verdict, p.Markup, len(p.Posts))
			continue
		}
		if tt.posts == 2 && (p.Posts[0].ExternalID != "1692512467727525" || !p.Posts[0].Pinned ||
			p.Posts[1].ExternalID != "3954251391553610" || p.Posts[1].SharedExternalID != "1373114781480892" ||
			p.Posts[1].PostedAt != "2025-08-14T15:45:37Z") {
			t.Errorf("%s: posts %+v", tt.file, p.Posts)
		}
	}
}
