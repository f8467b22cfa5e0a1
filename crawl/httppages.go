package crawl

import (
	"context"
	"net/url"
	"strings"

	"groupwatch/config"
	"groupwatch/sources"
)

// HTTPPages fetches a source's pages with plain requests through its Fetcher (cookies,
// pace, backoff): GET the first page, then follow each page's next link (m-site, html,
// feed), or replay the GraphQL pagination query a Comet page declares, with each answer's
// cursor, as a POST to /api/graphql/.
type HTTPPages struct {
	Fetcher *Fetcher
}

// Walk starts a run at the source's first page, or at the position an interrupted run saved.
func (h *HTTPPages) Walk(_ context.Context, src config.Source, resume string, parse ParseFunc) (Walk, error) {
	return &httpWalk{f: h.Fetcher, first: FirstPageURL(src), resume: resume, parse: parse}, nil
}

type httpWalk struct {
	f      *Fetcher
	first  string
	resume string
	parse  ParseFunc

	started bool
	// query is the first page's pagination query, with its tokens: kept in memory for this
	// run only.
	query *sources.GraphQLQuery
	// pageURL is where the first page came from: the GraphQL endpoint's origin and the
	// Referer of its queries.
	pageURL string
	// cursor is the one the last GraphQL query asked for, and askedAgain whether it was
	// asked twice because its answer was cut short.
	cursor     string
	askedAgain bool
}

// noQuery is the reason a Comet walk stops when the page gives no usable query: guessing a
// doc_id would send Facebook requests no browser sends.
const noQuery = "the page declares no usable pagination query (doc_id and fb_dtsg or lsd): stopped after the first page"

func (w *httpWalk) Next(ctx context.Context, prev *sources.Page) (*Page, error) {
	if !w.started {
		w.started = true
		if cursor, ok := graphQLCursor(w.resume); ok {
			return w.resumeQuery(ctx, cursor)
		}
		if w.resume != "" {
			return w.f.Fetch(ctx, w.resume)
		}
		return w.fetchFirst(ctx)
	}
	if prev == nil {
		return nil, nil
	}
	if prev.NextQuery != nil && w.query == nil {
		w.query = prev.NextQuery
	}
	switch {
	case prev.Next != "":
		return w.f.Fetch(ctx, prev.Next)
	case prev.NextCursor != "":
		if !usableQuery(w.query) {
			return nil, &Stop{Reason: noQuery}
		}
		return w.postQuery(ctx, prev.NextCursor)
	case prev.CutShort && w.cursor != "":
		// The answer broke off before its cursor: without asking again the walk would end
		// here and miss every post further down the feed. Once; a second cut ends it.
		if w.askedAgain {
			return nil, &Stop{Reason: "a GraphQL answer was cut short twice at the same cursor: stopped there"}
		}
		w.askedAgain = true
		return w.postQuery(ctx, w.cursor)
	}
	return nil, nil
}

func (w *httpWalk) Close() {}

func (w *httpWalk) fetchFirst(ctx context.Context) (*Page, error) {
	page, err := w.f.Fetch(ctx, w.first)
	if err == nil {
		w.pageURL = page.URL
	}
	return page, err
}

// resumeQuery continues a Comet feed at a stored cursor. The tokens were never stored, so
// the first page is fetched again for its query and tokens (not counted: its posts were
// read before the run stopped). A first page that is now a wall or a block is returned as
// the run's page, so that the run says so.
func (w *httpWalk) resumeQuery(ctx context.Context, cursor string) (*Page, error) {
	first, err := w.fetchFirst(ctx)
	if err != nil {
		return nil, err
	}
	parsed, err := w.parse(first)
	if err != nil || parsed.Verdict != sources.VerdictOK {
		return first, nil
	}
	w.query = parsed.NextQuery
	if !usableQuery(w.query) {
		return nil, &Stop{Reason: "cannot resume at the stored cursor: " + noQuery}
	}
	return w.postQuery(ctx, cursor)
}

// usableQuery says a declared query can be replayed: it has its doc_id and a session token.
func usableQuery(q *sources.GraphQLQuery) bool {
	return q != nil && q.DocID != "" && (q.Tokens["fb_dtsg"] != "" || q.Tokens["lsd"] != "")
}

func (w *httpWalk) postQuery(ctx context.Context, cursor string) (*Page, error) {
	if cursor != w.cursor {
		w.cursor, w.askedAgain = cursor, false
	}
	endpoint, err := graphQLEndpoint(w.pageURL, w.first)
	if err != nil {
		return nil, err
	}
	form, header, err := graphQLForm(w.query, cursor, w.f.cookieValue(endpoint, "c_user"))
	if err != nil {
		return nil, err
	}
	header.Set("Referer", w.pageURL)
	header.Set("Origin", endpoint.Scheme+"://"+endpoint.Host)
	return w.f.send(ctx, request{method: "POST", u: endpoint, form: form, header: header})
}

// graphQLEndpoint is /api/graphql/ on the host the first page came from (after redirects,
// e.g. web.facebook.com).
func graphQLEndpoint(pageURL, first string) (*url.URL, error) {
	base := pageURL
	if base == "" {
		base = first
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/api/graphql/"}, nil
}

// DesktopUserAgent is a current desktop Chrome on Linux: www.facebook.com answers a mobile
// browser with a redirect to m.facebook.com, so today's pages are asked for as a desktop.
const DesktopUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"

// FirstPageURL is where a crawl of src starts: its URL, with Facebook's chronological order
// asked for on a www group page that does not choose an order (the default order, "most
// relevant", mixes old posts in and defeats stop-after-seen).
func FirstPageURL(src config.Source) string {
	u, err := url.Parse(src.URL)
	if err != nil || src.Kind != config.SourceFacebookGroup {
		return src.URL
	}
	host := strings.TrimPrefix(u.Host, "www.")
	if (host != "facebook.com" && host != "web.facebook.com") || !strings.HasPrefix(u.Path, "/groups/") {
		return src.URL
	}
	q := u.Query()
	if q.Get("sorting_setting") != "" {
		return src.URL
	}
	q.Set("sorting_setting", "CHRONOLOGICAL")
	u.RawQuery = q.Encode()
	return u.String()
}
