package crawl

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sort"

	"groupwatch/sources"
)

// graphQLForm is the form a Comet page's own script posts to /api/graphql/ for its feed's
// next page: the persisted query (doc_id and friendly name), its variables with the cursor,
// the page's tokens (fb_dtsg, lsd, jazoest, …) and the account's id (av, __user: the c_user
// cookie). The form holds the session's tokens: it is sent and never logged or stored.
func graphQLForm(q *sources.GraphQLQuery, cursor, userID string) (url.Values, http.Header, error) {
	vars := maps.Clone(q.Variables)
	if vars == nil {
		vars = map[string]any{}
	}
	vars["cursor"] = cursor
	encoded, err := json.Marshal(vars)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot encode the variables of %s: %v", q.FriendlyName, err)
	}
	form := url.Values{}
	// Tokens first, in a fixed order, so that the fields below win over a token of the
	// same name.
	names := make([]string, 0, len(q.Tokens))
	for name := range q.Tokens {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		form.Set(name, q.Tokens[name])
	}
	if userID != "" {
		form.Set("av", userID)
		form.Set("__user", userID)
	}
	form.Set("__a", "1")
	form.Set("__comet_req", "15")
	form.Set("fb_api_caller_class", "RelayModern")
	form.Set("fb_api_req_friendly_name", q.FriendlyName)
	form.Set("variables", string(encoded))
	form.Set("server_timestamps", "true")
	form.Set("doc_id", q.DocID)
	header := http.Header{}
	header.Set("X-FB-Friendly-Name", q.FriendlyName)
	if lsd := q.Tokens["lsd"]; lsd != "" {
		header.Set("X-FB-LSD", lsd)
	}
	header.Set("Accept", "*/*")
	return form, header, nil
}

// cookieValue is the value of the named cookie the fetcher sends to u, "" when none.
func (f *Fetcher) cookieValue(u *url.URL, name string) string {
	if f.client == nil || f.client.Jar == nil {
		return ""
	}
	for _, c := range f.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
