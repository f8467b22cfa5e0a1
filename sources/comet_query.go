package sources

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// How a Comet page declares the query of its feed's next pages, and where its form tokens
// are. Two shapes are read, both as real www.facebook.com pages write them:
//
//  1. A Relay preloader entry (the shape of the page's "expectedPreloaders" and
//     "preloaderID" lists), anywhere in a data-sjs script:
//
//     {"preloaderID":"adp_GroupsCometFeedRegularStoriesPaginationQueryRelayPreloader_…",
//     "queryID":"DOC_ID","variables":{"count":3,"feedLocation":"GROUP",…,
//     "sortingSetting":"CHRONOLOGICAL","id":"GROUP_ID"},
//     "queryName":"GroupsCometFeedRegularStoriesPaginationQuery"}
//
//  2. A relay operation module in an inline script, whose exports are the doc_id:
//
//     __d("GroupsCometFeedRegularStoriesPaginationQuery_facebookRelayOperation",[],
//     (function(a,b,c,d,e,f){e.exports="DOC_ID"}),null);
//
//     Its variables are those the page's feed query (the preloader whose variables have a
//     groupID, e.g. CometGroupDiscussionRootSuccessQuery) was run with, renamed as the
//     pagination query takes them (groupID → id).
//
// A query named …PaginationQuery is taken, one of a feed (…Feed…) first. Its variables never
// hold "cursor": the fetcher adds the one of the page it asks for.
//
// Tokens (Page.NextQuery.Tokens, never printed):
//   - fb_dtsg: ["DTSGInitialData",[],{"token":"…"}] (or DTSGInitData), {"name":"fb_dtsg","value":"…"} or
//     <input name="fb_dtsg" value="…">; signed out the page has none;
//   - lsd: ["LSD",[],{"token":"…"}], else {"name":"lsd","value":"…"} or <input name="lsd">;
//   - jazoest: {"name":"jazoest","value":"…"}, <input name="jazoest"> or a jazoest=N in a URL;
//   - __user and av: the signed-in user's id from ["CurrentUserInitialData",[],{"USER_ID":"…"}].
//
// The query is usable with a doc_id, the group's id and an fb_dtsg or lsd token; else the
// page's Note says why there is no next page.

var (
	relayOperationRE = regexp.MustCompile(`(?s)__d\(\s*"(\w*Pagination\w*Query)_facebookRelayOperation"\s*,.{0,300}?exports\s*=\s*"(\d+)"`)
	// tokenREs: for each token, where the page writes it, first place first.
	tokenREs = []struct {
		name string
		res  []*regexp.Regexp
	}{
		{"fb_dtsg", []*regexp.Regexp{
			regexp.MustCompile(`\["DTSGInitialData",\[\],\{"token":"([^"]+)"`),
			regexp.MustCompile(`\["DTSGInitData",\[\],\{"token":"([^"]+)"`),
			regexp.MustCompile(`"name":"fb_dtsg","value":"([^"]+)"`),
			regexp.MustCompile(`name="fb_dtsg" value="([^"]+)"`),
			regexp.MustCompile(`"dtsg":\{"token":"([^"]+)"`),
		}},
		{"lsd", []*regexp.Regexp{
			regexp.MustCompile(`\["LSD",\[\],\{"token":"([^"]+)"`),
			regexp.MustCompile(`"name":"lsd","value":"([^"]+)"`),
			regexp.MustCompile(`name="lsd" value="([^"]+)"`),
		}},
		{"jazoest", []*regexp.Regexp{
			regexp.MustCompile(`"name":"jazoest","value":"(\d+)"`),
			regexp.MustCompile(`name="jazoest" value="(\d+)"`),
			regexp.MustCompile(`[?&]jazoest=(\d+)`),
		}},
		{"__user", []*regexp.Regexp{
			regexp.MustCompile(`"CurrentUserInitialData",\[\],\{[^}]*?"USER_ID":"([1-9]\d*)"`),
		}},
	}
	groupPathRE = regexp.MustCompile(`/groups/(\d+)`)
)

// paginationVariables are the feed query's variables the pagination query takes too, from
// what public scrapers send; groupID becomes id.
var paginationVariables = []string{
	"feedLocation", "feedType", "feedbackSource", "focusCommentID", "privacySelectorRenderLocation",
	"renderLocation", "scale", "sortingSetting", "useDefaultActor",
}

// declaredNextQuery is the pagination query the page declares and its tokens, or nil and
// the reason there is none.
func declaredNextQuery(body []byte, sc cometScripts, base *url.URL) (*GraphQLQuery, string) {
	root := feedRootVariables(sc.queries)
	q := paginationDecl(body, sc.queries)
	if q == nil {
		return nil, "the page declares no pagination query for its feed (no …PaginationQuery doc_id): stopped after the first page"
	}
	vars := map[string]any{}
	for k, v := range q.variables {
		vars[k] = v
	}
	if len(q.variables) == 0 {
		// Declared by a relay operation module: the feed query's variables, renamed.
		for k, v := range root {
			if slices.Contains(paginationVariables, k) || strings.HasPrefix(k, "__relay_internal__pv__") {
				vars[k] = v
			}
		}
		vars["count"] = 3
		vars["stream_initial_count"] = 1
	}
	delete(vars, "cursor")
	if _, ok := vars["id"]; !ok {
		if id := groupID(root, base); id != "" {
			vars["id"] = id
		}
	}
	if _, ok := vars["sortingSetting"]; !ok {
		if s, ok := root["sortingSetting"]; ok {
			vars["sortingSetting"] = s
		}
	}
	if scalarString(vars["id"]) == "" {
		return nil, "the page declares " + q.name + " but not which feed it pages (no group id): stopped after the first page"
	}
	tokens := pageTokens(body)
	if tokens["fb_dtsg"] == "" && tokens["lsd"] == "" {
		return nil, "the page declares " + q.name + " but no fb_dtsg or lsd token to send it with: stopped after the first page"
	}
	return &GraphQLQuery{FriendlyName: q.name, DocID: q.docID, Variables: vars, Tokens: tokens}, ""
}

// paginationDecl picks the declared pagination query: a feed's first.
func paginationDecl(body []byte, preloaded []queryDecl) *queryDecl {
	var found []queryDecl
	for _, q := range preloaded {
		if strings.HasSuffix(q.name, "PaginationQuery") {
			found = append(found, q)
		}
	}
	for _, m := range relayOperationRE.FindAllSubmatch(body, 20) {
		found = append(found, queryDecl{name: string(m[1]), docID: string(m[2])})
	}
	for i := range found {
		if strings.Contains(found[i].name, "Feed") {
			return &found[i]
		}
	}
	if len(found) > 0 {
		return &found[0]
	}
	return nil
}

// feedRootVariables are the variables of the query that loaded the group's feed: the
// preloader with a groupID and a feedType, else any with a groupID.
func feedRootVariables(queries []queryDecl) map[string]any {
	var withGroup map[string]any
	for _, q := range queries {
		if _, ok := q.variables["groupID"]; !ok {
			continue
		}
		if _, ok := q.variables["feedType"]; ok {
			return q.variables
		}
		if withGroup == nil {
			withGroup = q.variables
		}
	}
	return withGroup
}

// groupID is the group the feed belongs to: the feed query's groupID, else the URL's.
func groupID(root map[string]any, base *url.URL) string {
	if id := scalarString(root["groupID"]); id != "" {
		return id
	}
	if base != nil {
		if m := groupPathRE.FindStringSubmatch(base.Path); m != nil {
			return m[1]
		}
	}
	return ""
}

// pageTokens are the page's form tokens, by form field name.
func pageTokens(body []byte) map[string]string {
	out := map[string]string{}
	for _, t := range tokenREs {
		for _, re := range t.res {
			if m := re.FindSubmatch(body); m != nil {
				out[t.name] = string(m[1])
				break
			}
		}
	}
	if u := out["__user"]; u != "" {
		out["av"] = u
	}
	return out
}
