package fakefacebook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
)

// obj is a JSON object as the pages write it.
type obj = map[string]any

// storyJSON is a feed story as Relay writes it: the fields at the paths public scrapers and
// our parser read (post_id, actors, permalink_url, creation_time, the message under
// comet_sections.content.story, the counts under the UFI renderer's feedback).
func storyJSON(groupID string, st Story) obj {
	permalink := "https://www.facebook.com/groups/" + groupID + "/posts/" + st.ID + "/"
	actor := obj{"__typename": "User", "name": st.Author, "id": "1000000000" + st.ID[len(st.ID)-5:], "url": nil}
	return obj{
		"__typename": "Story", "id": "UzpfSTpWSzo" + st.ID, "post_id": st.ID, "cache_id": "-" + st.ID,
		"actors":        []any{actor},
		"permalink_url": permalink,
		"creation_time": st.Created.Unix(),
		"comet_sections": obj{
			"content": obj{"__typename": "CometFeedStoryDefaultContentStrategy", "story": obj{
				"id": "UzpfSTpWSzo" + st.ID, "post_id": st.ID, "actors": []any{obj{"__typename": "User", "id": actor["id"]}},
				"message":        obj{"__typename": "TextWithEntities", "text": st.Text},
				"comet_sections": obj{"message": obj{"story": obj{"message": obj{"text": st.Text}}}},
				"attachments":    []any{}, "attached_story": nil,
			}},
			"context_layout": obj{"story": obj{"actors": []any{actor}, "comet_sections": obj{"metadata": []any{
				obj{"__typename": "CometFeedStoryMinimizedTimestampStrategy", "story": obj{"creation_time": st.Created.Unix(), "url": permalink}},
			}}}},
			"feedback": obj{"story": obj{"story_ufi_container": obj{"story": obj{"feedback_context": obj{"feedback_target_with_context": obj{
				"comet_ufi_summary_and_actions_renderer": obj{"__typename": "CometFeedUFISummaryAndActionsRenderer", "feedback": obj{
					"__typename": "Feedback", "i18n_reaction_count": "12", "reaction_count": obj{"count": 12},
					"share_count": obj{"count": 1}, "comment_rendering_instance": obj{"comments": obj{"total_count": 3}},
				}},
			}}}}}},
		},
		"feedback": obj{"associated_group": obj{"id": groupID}},
		"to":       obj{"__typename": "Group", "id": groupID, "name": "Harbour Makers", "url": "https://www.facebook.com/groups/" + groupID + "/"},
	}
}

func mustJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only maps of strings, numbers and lists: cannot fail
	}
	return string(bytes.TrimSpace(b.Bytes()))
}

// preloaded wraps a Relay payload as the page streams it to RelayPrefetchedStreamCache.
func preloaded(preloader string, result obj, complete bool) string {
	return mustJSON(obj{"require": []any{[]any{"ScheduledServerJS", "handle", nil, []any{obj{"__bbox": obj{"require": []any{
		[]any{"RelayPrefetchedStreamCache@8c1d", "next", []any{}, []any{preloader, obj{"__bbox": obj{"complete": complete, "result": result, "sequence_number": 0}}}},
	}}}}}}})
}

const (
	rootPreloader       = "adp_CometGroupDiscussionRootSuccessQueryRelayPreloader_2"
	paginationPreloader = "adp_GroupsCometFeedRegularStoriesPaginationQueryRelayPreloader_3"
	streamLabel         = "GroupsCometFeedRegularStories_paginationGroup$stream$GroupsCometFeedRegularStories_group_group_feed"
	deferLabel          = "GroupsCometFeedRegularStories_paginationGroup$defer$GroupsCometFeedRegularStories_group_group_feed$page_info"
	paginationStream    = "GroupsCometFeedRegularStoriesPaginationQuery$stream$GroupsCometFeedRegularStories_group_group_feed"
	paginationDefer     = "GroupsCometFeedRegularStoriesPaginationQuery$defer$GroupsCometFeedRegularStories_group_group_feed$page_info"
)

// groupScripts are the data-sjs scripts of a group page: tokens, the declared queries, the
// pinned post and a section header, one payload per story, the page_info.
func groupScripts(groupID string, pinned Story, page feedPage) []string {
	tokens := mustJSON(obj{"define": []any{
		[]any{"DTSGInitialData", []any{}, obj{"token": DTSG}, 258},
		[]any{"LSD", []any{}, obj{"token": LSD}, 323},
		[]any{"CurrentUserInitialData", []any{}, obj{"ACCOUNT_ID": UserID, "USER_ID": UserID, "NAME": "Test User"}, 270},
	}})
	feedVars := obj{"feedLocation": "GROUP", "feedType": "DISCUSSION", "groupID": groupID, "renderLocation": "group", "scale": 2, "sortingSetting": "CHRONOLOGICAL"}
	pageVars := obj{"count": PageSize, "cursor": nil, "feedLocation": "GROUP", "feedType": "DISCUSSION", "renderLocation": "group", "scale": 2, "sortingSetting": "CHRONOLOGICAL", "stream_initial_count": 1, "id": groupID}
	queries := mustJSON(obj{"require": []any{[]any{"CometPlatformRootClient", "init", []any{}, []any{obj{"expectedPreloaders": []any{
		obj{"actorID": nil, "preloaderID": "adp_useCometLogInFormQueryRelayPreloader_1", "queryID": "9703687583048540", "variables": obj{"source": "DESKTOP"}, "queryName": "useCometLogInFormQuery"},
		obj{"actorID": UserID, "preloaderID": rootPreloader, "queryID": "28104279725877922", "variables": feedVars, "queryName": "CometGroupDiscussionRootSuccessQuery"},
		obj{"actorID": UserID, "preloaderID": paginationPreloader, "queryID": DocID, "variables": pageVars, "queryName": "GroupsCometFeedRegularStoriesPaginationQuery"},
	}}}}}})
	pinnedStory := storyJSON(groupID, pinned)
	first := obj{"data": obj{"group": obj{
		"__typename": "Group", "id": groupID, "name": "Harbour Makers",
		"if_viewer_can_see_highlight_units": obj{"highlight_units": obj{"edges": []any{
			obj{"node": obj{"__typename": "GroupHighlightPostUnit", "id": "hl1", "type": "PINNED_POST", "is_unit_pinned": true, "story": pinnedStory}, "cursor": "1"},
		}, "page_info": obj{"end_cursor": "2", "has_next_page": false}}},
		"group_feed": obj{"edges": []any{obj{"node": obj{"__typename": "GroupsSectionHeaderUnit", "title": obj{"text": "New activity"}, "post_id": nil}}}},
	}}, "extensions": obj{"is_final": false}}
	out := []string{tokens, queries, preloaded(rootPreloader, first, false)}
	for i, st := range page.stories {
		out = append(out, preloaded(rootPreloader, obj{
			"label": streamLabel, "path": []any{"group", "group_feed", "edges", i + 1},
			"data": obj{"node": storyJSON(groupID, st), "cursor": "s" + st.ID}, "extensions": obj{"is_final": false},
		}, false))
	}
	out = append(out, preloaded(rootPreloader, obj{
		"label": deferLabel, "path": []any{"group", "group_feed"},
		"data": obj{"page_info": pageInfo(page)}, "extensions": obj{"is_final": true},
	}, true))
	return out
}

func pageInfo(page feedPage) obj {
	if page.next == "" {
		return obj{"end_cursor": nil, "has_next_page": false}
	}
	return obj{"end_cursor": page.next, "has_next_page": true}
}

// graphQLAnswer is a page of the feed as /api/graphql/ streams it: for (;;); then one JSON
// object a line, the first story in the first, the others as $stream$ lines, the page_info
// as a $defer$ line.
func graphQLAnswer(groupID string, page feedPage) []byte {
	var b bytes.Buffer
	b.WriteString("for (;;);")
	var edges []any
	if len(page.stories) > 0 {
		edges = append(edges, obj{"node": storyJSON(groupID, page.stories[0]), "cursor": "s" + page.stories[0].ID})
	}
	b.WriteString(mustJSON(obj{"data": obj{"node": obj{"__typename": "Group", "id": groupID, "group_feed": obj{"edges": edges}}}, "extensions": obj{"is_final": false}}))
	for i, st := range page.stories[min(1, len(page.stories)):] {
		b.WriteByte('\n')
		b.WriteString(mustJSON(obj{"label": paginationStream, "path": []any{"node", "group_feed", "edges", i + 1},
			"data": obj{"node": storyJSON(groupID, st), "cursor": "s" + st.ID}, "extensions": obj{"is_final": false}}))
	}
	b.WriteByte('\n')
	b.WriteString(mustJSON(obj{"label": paginationDefer, "path": []any{"node", "group_feed"},
		"data": obj{"page_info": pageInfo(page)}, "extensions": obj{"is_final": true}}))
	b.WriteByte('\n')
	return b.Bytes()
}

var groupTemplate = template.Must(template.New("group").Parse(`<!DOCTYPE html>
<html id="facebook" lang="en" dir="ltr">
<head><meta charset="utf-8" /><title>Harbour Makers | Facebook</title></head>
<body><div id="mount_0_0_x" role="feed"><h1>Harbour Makers</h1><div id="stories">{{range .Stories}}<div role="article">{{.Text}}</div>{{end}}</div><div id="spacer" style="height:4000px"></div></div>
{{range .Scripts}}<script type="application/json" data-content-len="{{len .}}" data-sjs>{{.}}</script>
{{end}}<script>{{.Script}}</script>
</body></html>
`))

func groupPage(groupID string, pinned Story, page feedPage) []byte {
	scripts := groupScripts(groupID, pinned, page)
	var b bytes.Buffer
	err := groupTemplate.Execute(&b, struct {
		Stories []Story
		Scripts []template.JS
		Script  template.JS
	}{page.stories, jsList(scripts), template.JS(scrollScript)})
	if err != nil {
		panic(err)
	}
	return b.Bytes()
}

func jsList(ss []string) []template.JS {
	out := make([]template.JS, len(ss))
	for i, s := range ss {
		out[i] = template.JS(s)
	}
	return out
}

var messageTemplate = template.Must(template.New("message").Parse(`<!DOCTYPE html>
<html id="facebook" lang="en"><head><meta charset="utf-8" /><title>{{.Title}}</title></head>
<body><div id="mount_0_0_y"><h2>{{.Title}}</h2><p>{{.Text}}</p></div>
<script type="application/json" data-sjs>{"require":[["CometPlatformRootClient","init",[],[{"rootElementID":"mount_0_0_y","expectedPreloaders":[]}]]]}</script>
</body></html>
`))

// messagePage is a page that says one thing: a block, a checkpoint, a gone group.
func messagePage(title, text string) []byte {
	var b bytes.Buffer
	if err := messageTemplate.Execute(&b, struct{ Title, Text string }{title, text}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// loginPage is the login form alone: no group, no feed.
func loginPage() []byte {
	login := preloaded("adp_useCometLogInFormQueryRelayPreloader_1", obj{"data": obj{"login_data": obj{
		"login_post_uri": "https://www.facebook.com/login/device-based/regular/login/?login_attempt=1",
		"lsd":            obj{"name": "lsd", "value": "LSD_LOGIN_FORM"}, "jazoest": obj{"name": "jazoest", "value": "21042"},
	}}, "extensions": obj{"is_final": true}}, true)
	return []byte(fmt.Sprintf(`<!DOCTYPE html>
<html id="facebook" lang="en"><head><meta charset="utf-8" /><title>Log in to Facebook</title></head>
<body><div id="mount_0_0_z"><form id="login_form" action="/login/device-based/regular/login/" method="post"><input type="email" name="email"/><input type="password" name="pass"/><button name="login">Log in</button></form></div>
<script type="application/json" data-content-len="%s" data-sjs>%s</script>
</body></html>
`, strconv.Itoa(len(login)), login))
}
