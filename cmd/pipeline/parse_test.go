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
	} `json:"posts"`
	Body string `json:"body"`
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
