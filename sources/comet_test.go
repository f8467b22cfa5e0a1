package sources

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const cometFixtureCursor = "Cg8TZXhpc3RpbmdfdW5pdF9jb3VudAICDwtyZWFsX2N1cnNvcg-FAKE-PAGE-2"

func parseCometFixture(t *testing.T, file, url string) Page {
	t.Helper()
	page, err := newFacebook(t, nil).Parse(Response{Body: readFixture(t, "facebook-comet/"+file), URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// A signed-in group page: a pinned highlight unit, a section header, stories streamed one a
// payload (one of them twice), English and Chinese text, a photo post, a share, counts as
// numbers and as "1.2K" / "1,2 k" / "2.5K" texts, and the feed's page_info.
func TestCometGroupPage(t *testing.T) {
	page := parseCometFixture(t, "group_page.html", "")
	if page.Verdict != VerdictOK || page.Markup != MarkupComet || page.NextCursor != cometFixtureCursor || page.Note != "" {
		t.Fatalf("verdict %s, markup %s, cursor %q, note %q", page.Verdict, page.Markup, page.NextCursor, page.Note)
	}
	at := func(s string) time.Time { return utc(t, s) }
	want := []Post{
		{ExternalID: "9300000000000001", Author: "Mei Chan", AuthorID: "100000000000101", AuthorURL: "https://www.facebook.com/mei.chan",
			Text: "Welcome to Harbour Makers! Rules: 1. Be kind. 2. No weapons.", PostedAt: at("2020-01-01T12:00:00Z"),
			Likes: 2534, Comments: 12, URL: "https://www.facebook.com/groups/8100000000000001/permalink/9300000000000001/", Pinned: true},
		{ExternalID: "9100000000000001", Author: "Jo Smith", AuthorID: "100000000000001", AuthorURL: "https://www.facebook.com/jo.smith",
			Text: "Anyone selling a used 3D printer? Budget around $200.\nPickup in Kowloon is fine.", PostedAt: at("2024-01-10T07:00:00Z"),
			Likes: 1200, Comments: 45, Shares: 1200, URL: "https://www.facebook.com/groups/8100000000000001/posts/9100000000000001/"},
		{ExternalID: "9100000000000002", Author: "陳大文", AuthorID: "100000000000002", Text: "有人想一起去深水埗買電子零件嗎？星期六下午。",
			PostedAt: at("2024-01-10T06:00:00Z"), Likes: 18, Comments: 4, Shares: 1,
			URL:    "https://www.facebook.com/groups/8100000000000001/posts/9100000000000002/",
			Images: []string{"https://scontent.xx.fbcdn.net/v/t39/photo1.jpg?_nc_cat=1&oh=00", "https://scontent.xx.fbcdn.net/v/t39/photo2.jpg"}},
		{ExternalID: "9100000000000003", Author: "Sam Lee", AuthorID: "100000000000003", Text: "Worth a visit!",
			PostedAt: at("2024-01-10T04:00:00Z"), Likes: 3, URL: "https://www.facebook.com/groups/8100000000000001/posts/9100000000000003/",
			Images: []string{"https://scontent.xx.fbcdn.net/v/t39/open_night.jpg"}, SharedExternalID: "4400000000000001"},
	}
	samePosts(t, page.Posts, want)
	for _, p := range page.Posts {
		if p.AuthorID != "" && p.AuthorID == "6600000000000001" || p.ExternalID == "4400000000000001" {
			t.Errorf("the shared original's author or id taken as a post's: %+v", p)
		}
	}
}

// The pagination query as each declaration shape gives it, and a page that declares none.
func TestCometNextQuery(t *testing.T) {
	tests := []struct {
		file       string
		tokens     map[string]string
		vars       map[string]any
		wantNone   bool
		noteSubstr string
	}{
		{
			file:   "group_page.html",
			tokens: map[string]string{"fb_dtsg": "DTSG_SECRET_q9", "lsd": "LSD_TOKEN_x7", "jazoest": "21042", "__user": "100000000000042", "av": "100000000000042"},
			vars: map[string]any{"id": "8100000000000001", "sortingSetting": "CHRONOLOGICAL", "count": 3.0, "feedType": "DISCUSSION",
				"stream_initial_count": 1.0, "scale": 2.0},
		},
		{
			file:   "group_page_module.html",
			tokens: map[string]string{"lsd": "LSD_TOKEN_x7"},
			vars: map[string]any{"id": "8100000000000001", "sortingSetting": "CHRONOLOGICAL", "count": 3.0, "feedLocation": "GROUP",
				"renderLocation": "group", "__relay_internal__pv__CometFeedStory_enable_reactor_facepilerelayprovider": false},
		},
		{file: "group_page_no_query.html", wantNone: true, noteSubstr: "declares no pagination query"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			page := parseCometFixture(t, tt.file, "https://www.facebook.com/groups/8100000000000001/?sorting_setting=CHRONOLOGICAL")
			if page.NextCursor != cometFixtureCursor {
				t.Fatalf("cursor %q", page.NextCursor)
			}
			if tt.wantNone {
				if page.NextQuery != nil || !strings.Contains(page.Note, tt.noteSubstr) {
					t.Fatalf("query %+v, note %q", page.NextQuery, page.Note)
				}
				return
			}
			q := page.NextQuery
			if q == nil {
				t.Fatalf("no query; note %q", page.Note)
			}
			if q.FriendlyName != "GroupsCometFeedRegularStoriesPaginationQuery" || q.DocID != "7392323987463765" || page.Note != "" {
				t.Errorf("query %s %s, note %q", q.FriendlyName, q.DocID, page.Note)
			}
			for k, v := range tt.tokens {
				if q.Tokens[k] != v {
					t.Errorf("token %s = %q, want %q", k, q.Tokens[k], v)
				}
			}
			if len(q.Tokens) != len(tt.tokens) {
				t.Errorf("tokens %v, want only %v", keysOf(q.Tokens), keysOf(tt.tokens))
			}
			// Through JSON, as the fetcher sends them.
			b, _ := json.Marshal(q.Variables)
			var vars map[string]any
			json.Unmarshal(b, &vars)
			for k, v := range tt.vars {
				if vars[k] != v {
					t.Errorf("variable %s = %v, want %v", k, vars[k], v)
				}
			}
			if _, ok := vars["cursor"]; ok {
				t.Errorf("variables hold a cursor: %s", b)
			}
			if _, ok := vars["groupID"]; ok {
				t.Errorf("variables keep groupID: %s", b)
			}
			out, _ := json.Marshal(page)
			for _, secret := range q.Tokens {
				if strings.Contains(string(out), secret) {
					t.Errorf("the printed page holds a token %q", secret)
				}
			}
			if !strings.Contains(string(out), `"next_query":{"friendly_name":"GroupsCometFeedRegularStoriesPaginationQuery"`) {
				t.Errorf("printed page lacks next_query: %.300s", out)
			}
		})
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// /api/graphql/ answers: for (;;); and CRLF lines, a $stream$ line with field errors beside
// its data, the $defer$ page_info; the last page; an error answer.
func TestGraphQLAnswers(t *testing.T) {
	page := parseCometFixture(t, "graphql_page2.ndjson", "")
	if page.Verdict != VerdictOK || page.Markup != MarkupGraphQL || page.NextCursor != cometFixtureCursor+"-3" || page.NextQuery != nil {
		t.Fatalf("verdict %s, markup %s, cursor %q, query %v", page.Verdict, page.Markup, page.NextCursor, page.NextQuery)
	}
	samePosts(t, page.Posts, []Post{
		{ExternalID: "9100000000000005", Author: "Wing Ho", AuthorID: "100000000000005", Text: "Soldering workshop next Tuesday, 7pm. 焊接工作坊，歡迎新手。",
			PostedAt: utc(t, "2024-01-09T06:00:00Z"), Likes: 1500000, URL: "https://www.facebook.com/groups/8100000000000001/posts/9100000000000005/"},
		{ExternalID: "9100000000000006", Author: "Jo Smith", AuthorID: "100000000000001", Text: "Thanks all, printer found.",
			PostedAt: utc(t, "2024-01-09T05:00:00Z"), Likes: 7, Comments: 1, URL: "https://www.facebook.com/groups/8100000000000001/posts/9100000000000006/"},
	})

	last := parseCometFixture(t, "graphql_last.ndjson", "")
	if last.Verdict != VerdictOK || len(last.Posts) != 0 || last.NextCursor != "" || last.Body != "" {
		t.Errorf("last page: verdict %s, %d posts, cursor %q", last.Verdict, len(last.Posts), last.NextCursor)
	}
	failed := parseCometFixture(t, "graphql_error.json", "")
	if failed.Verdict != VerdictBlocked || failed.Markup != MarkupGraphQL || !strings.Contains(failed.Note, "Rate limit exceeded") {
		t.Errorf("error answer: verdict %s, markup %s, note %q", failed.Verdict, failed.Markup, failed.Note)
	}
}

// An answer cut short keeps what came before the broken line; one with nothing readable is
// not a page.
func TestGraphQLAnswerCutShort(t *testing.T) {
	full := string(readFixture(t, "facebook-comet/graphql_page2.ndjson"))
	cut := full[:strings.Index(full, `"label"`)+40]
	page, err := newFacebook(t, nil).Parse(Response{Body: []byte(cut)})
	if err != nil {
		t.Fatal(err)
	}
	if page.Verdict != VerdictOK || len(page.Posts) != 1 || page.NextCursor != "" || !strings.Contains(page.Note, "cut short") {
		t.Errorf("verdict %s, %d posts, cursor %q, note %q", page.Verdict, len(page.Posts), page.NextCursor, page.Note)
	}
	if _, err := newFacebook(t, nil).Parse(Response{Body: []byte(`for (;;);{"data":{"node":`)}); err == nil {
		t.Error("a broken answer with nothing readable parsed without error")
	}
}

func TestCometVerdicts(t *testing.T) {
	tests := []struct {
		name, file, url string
		want            Verdict
		markup          string
	}{
		{"signed-in group page with a login form widget", "group_page.html", "", VerdictOK, MarkupComet},
		{"redirected to /login", "login_only.html", "https://www.facebook.com/login/?next=https%3A%2F%2Fwww.facebook.com%2Fgroups%2F1", VerdictLoginWall, ""},
		{"only the login form", "login_only.html", "https://www.facebook.com/groups/8100000000000001/", VerdictLoginWall, MarkupComet},
		{"checkpoint URL", "group_page.html", "https://www.facebook.com/checkpoint/block/?next=x", VerdictCheckpoint, ""},
		{"checkpoint text", "checkpoint.html", "", VerdictCheckpoint, MarkupComet},
		{"temporarily blocked, typographic apostrophe", "temporarily_blocked.html", "", VerdictBlocked, MarkupComet},
		{"feature blocked, said in the data", "feature_blocked.html", "", VerdictBlocked, MarkupComet},
		{"not found", "not_found.html", "", VerdictNotFound, MarkupComet},
		{"changed page", "changed.html", "", VerdictUnexpected, MarkupComet},
		{"GraphQL errors without data", "graphql_error.json", "", VerdictBlocked, MarkupGraphQL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := parseCometFixture(t, tt.file, tt.url)
			if page.Verdict != tt.want || page.Markup != tt.markup {
				t.Fatalf("verdict %s markup %q, want %s %q", page.Verdict, page.Markup, tt.want, tt.markup)
			}
			if tt.want != VerdictOK && (len(page.Posts) > 0 || page.NextCursor != "" || page.NextQuery != nil) {
				t.Errorf("%s page with %d posts, cursor %q", tt.want, len(page.Posts), page.NextCursor)
			}
			if keeps := tt.want == VerdictUnexpected; keeps != (page.Body != "") {
				t.Errorf("body kept: %v, want %v", page.Body != "", keeps)
			}
		})
	}
}

// Which markup a body is read as; the old m.facebook.com cursor responses start with
// for (;;); too.
func TestDetectFacebookMarkup(t *testing.T) {
	tests := []struct {
		body, want string
	}{
		{`for (;;);{"__ar":1,"payload":{"actions":[{"cmd":"append","html":"<article></article>"}]}}`, MarkupMSite},
		{`for (;;);{"__ar":1,"error":1357001,"errorSummary":"Not Logged In","payload":null}`, MarkupMSite},
		{`for (;;);{"data":{"node":null}}`, MarkupGraphQL},
		{"\ufeff  {\"label\":\"x$stream$y\",\"path\":[\"node\"],\"data\":{}}\n", MarkupGraphQL},
		{`{"errors":[{"message":"x"}]}`, MarkupGraphQL},
		{`<html><body><script type="application/json" data-sjs>{}</script></body></html>`, MarkupComet},
		{`<html><body><article data-ft='{"top_level_post_id":"1"}'></article></body></html>`, MarkupMSite},
		{`{"hello":"world"}`, MarkupMSite},
	}
	for _, tt := range tests {
		if got := detectFacebookMarkup([]byte(tt.body)); got != tt.want {
			t.Errorf("%.50s: %s, want %s", tt.body, got, tt.want)
		}
	}
}

// The m.facebook.com markup is still read as before and says so; a page that is only
// classified (a login wall) names no markup.
func TestMSiteMarkupNamed(t *testing.T) {
	page, err := newFacebook(t, nil).Parse(Response{Body: readFixture(t, "facebook/login_wall.html")})
	if err != nil || page.Verdict != VerdictLoginWall || page.Markup != "" {
		t.Errorf("login_wall.html: verdict %s, markup %q, %v", page.Verdict, page.Markup, err)
	}
	for _, file := range []string{"group_feed.html", "page_more_cursor.forjson.txt"} {
		page, err := newFacebook(t, nil).Parse(Response{Body: readFixture(t, "facebook/"+file)})
		if err != nil {
			t.Fatal(err)
		}
		if page.Markup != MarkupMSite || page.NextCursor != "" || page.NextQuery != nil {
			t.Errorf("%s: markup %q, cursor %q", file, page.Markup, page.NextCursor)
		}
	}
}

// A story that names no post_id still has its post id inside its base64 id.
func TestStoryIDFallback(t *testing.T) {
	tests := []struct{ id, want string }{
		{"UzpfSTE2MTU5NTc3ODM6Vks6MTY5MjUxMjQ2NzcyNzUyNQ==", "1692512467727525"}, // S:_I1615957783:VK:1692512467727525
		{"UzpfSTY4Mjg2NTgyNTozOTU0MjUxMzkxNTUzNjEw", "3954251391553610"},         // S:_I682865825:3954251391553610, unpadded
		{"ZmVlZGJhY2s6MTY5MjUxMjQ2NzcyNzUyNQ==", ""},                             // feedback:…, not a story
		{"not base64!", ""},
	}
	for _, tt := range tests {
		if got := postIDFromStoryID(tt.id); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.id, got, tt.want)
		}
	}
	story := map[string]any{"__typename": "Story", "id": tests[0].id, "creation_time": json.Number("1480626979"),
		"actors": []any{map[string]any{"name": "Brendan Sullivan"}}}
	p, ok := storyPost(story, nil)
	if !ok || p.ExternalID != "1692512467727525" || p.Author != "Brendan Sullivan" {
		t.Errorf("story without post_id: %+v, %v", p, ok)
	}
}

// Each mark of a highlight unit makes its story a pinned post; a feed edge's story is not.
func TestHighlightUnitMarks(t *testing.T) {
	story := map[string]any{"post_id": "11", "creation_time": json.Number("1704870000"), "actors": []any{map[string]any{"name": "A"}}}
	tests := []struct {
		unit   map[string]any
		pinned bool
	}{
		{map[string]any{"__isGroupHighlightUnit": "GroupHighlightPostUnit", "story": story}, true},
		{map[string]any{"__typename": "GroupHighlightPostUnit", "story": story}, true},
		{map[string]any{"__typename": "SomeNewUnit", "is_unit_pinned": true, "story": story}, true},
		{map[string]any{"__typename": "GroupsFeedEdge", "story": story}, false},
	}
	for _, tt := range tests {
		f := newCometFeed(nil)
		f.read(relayPayload{data: map[string]any{"units": []any{tt.unit}}})
		if got := len(f.posts) == 1 && f.posts[0].Pinned; got != tt.pinned {
			t.Errorf("%v: pinned post %v, want %v", tt.unit["__typename"], got, tt.pinned)
		}
	}
}

// Scripts that can hold neither a result nor a declared query are not decoded; spaced-out
// JSON still is.
func TestHoldsPayloadOrQuery(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{`{"__bbox":{"complete":true,"result":{"data":{}}}}`, true},
		{`{"__bbox" : {"result" :` + "\n" + ` {"data":{}}}}`, true},
		{`{"gkxData":{"999":{"result":false,"hash":null}},"result":"x"}`, false},
		{`{"expectedPreloaders":[{"queryID":"1"}]}`, true},
		{`{"define":[["LSD",[],{"token":"x"},323]]}`, false},
	}
	for _, tt := range tests {
		if got := holdsPayloadOrQuery(tt.text); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.text, got, tt.want)
		}
	}
}

// Pinned posts come first, as the page shows them above the feed, even when the payload
// lists the feed first.
func TestCometPinnedFirst(t *testing.T) {
	st := func(id string) map[string]any {
		return map[string]any{"__typename": "Story", "post_id": id, "actors": []any{map[string]any{"name": "A"}}}
	}
	data := map[string]any{"group": map[string]any{
		"group_feed": map[string]any{"edges": []any{map[string]any{"node": st("2")}, map[string]any{"node": st("3")}}},
		"if_viewer_can_see_highlight_units": map[string]any{"highlight_units": map[string]any{"edges": []any{
			map[string]any{"node": map[string]any{"__isGroupHighlightUnit": "x", "story": st("1")}}}}},
	}}
	f := newCometFeed(nil)
	f.read(relayPayload{data: data})
	var ids []string
	for _, p := range f.ordered() {
		ids = append(ids, p.ExternalID)
	}
	if strings.Join(ids, ",") != "1,2,3" || !f.ordered()[0].Pinned {
		t.Errorf("order %v", ids)
	}
}

// Each count comes from the first feedback that has it; a video's thumbnail is its picture.
func TestStoryCountsAcrossFeedbacks(t *testing.T) {
	story := map[string]any{"__typename": "Story", "post_id": "5", "actors": []any{map[string]any{"name": "A"}},
		"comet_sections": map[string]any{"feedback": map[string]any{"story": map[string]any{"story_ufi_container": map[string]any{"story": map[string]any{
			"feedback_context": map[string]any{"feedback_target_with_context": map[string]any{"comet_ufi_summary_and_actions_renderer": map[string]any{
				"feedback": map[string]any{"i18n_reaction_count": "3,4K"}}}}}}}}},
		"feedback": map[string]any{"total_comment_count": json.Number("7"), "i18n_share_count": "12"},
		"attachments": []any{map[string]any{"styles": map[string]any{"attachment": map[string]any{"media": map[string]any{
			"__typename": "Video", "preferred_thumbnail": map[string]any{"image": map[string]any{"uri": "https://scontent.xx.fbcdn.net/thumb.jpg"}}}}}}},
	}
	p, ok := storyPost(story, nil)
	if !ok || p.Likes != 3400 || p.Comments != 7 || p.Shares != 12 || len(p.Images) != 1 {
		t.Errorf("%+v", p)
	}
}

// The walker stops at maxJSONDepth: a story nested deeper is not read, one above it is.
func TestJSONWalkerDepthLimit(t *testing.T) {
	nested := func(depth int) []byte {
		story := `{"__typename":"Story","post_id":"7","actors":[{"name":"A"}]}`
		return []byte(`{"data":` + strings.Repeat(`{"a":`, depth) + story + strings.Repeat(`}`, depth) + `}`)
	}
	for _, tt := range []struct {
		depth int
		posts int
	}{{maxJSONDepth - 10, 1}, {maxJSONDepth + 10, 0}, {5000, 0}} {
		page, err := newFacebook(t, nil).Parse(Response{Body: nested(tt.depth)})
		if tt.depth > 9000 && err != nil {
			continue // encoding/json refuses it first
		}
		if err != nil {
			t.Fatalf("depth %d: %v", tt.depth, err)
		}
		if len(page.Posts) != tt.posts {
			t.Errorf("depth %d: %d posts, want %d", tt.depth, len(page.Posts), tt.posts)
		}
	}
}

// The AJAX endpoints' error answers (for (;;);{"__ar":1,"error":…}) say what they are.
func TestAJAXErrorAnswers(t *testing.T) {
	tests := []struct {
		body string
		want Verdict
	}{
		{`for (;;);{"__ar":1,"error":1357001,"errorSummary":"Not Logged In","errorDescription":"Please log in to continue.","payload":null}`, VerdictLoginWall},
		{`for (;;);{"__ar":1,"error":1390008,"errorSummary":"You can’t use this feature at the moment","errorDescription":"We limit how often you can post, comment or do other things.","payload":null}`, VerdictBlocked},
		{`for (;;);{"__ar":1,"error":1357004,"errorSummary":"Sorry, something went wrong","errorDescription":"Please try closing and re-opening your browser window.","payload":null}`, VerdictUnexpected},
	}
	for _, tt := range tests {
		page, err := newFacebook(t, nil).Parse(Response{Body: []byte(tt.body)})
		if err != nil {
			t.Fatal(err)
		}
		if page.Verdict != tt.want || page.Markup != "" {
			t.Errorf("%.60s: verdict %s markup %s, want %s", tt.body, page.Verdict, page.Markup, tt.want)
		}
	}
}
