package crawl

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
)

// netResponse is a response the browser received that the walk wants: the page's document
// or a GraphQL answer.
type netResponse struct {
	id          network.RequestID
	url         string
	status      int
	contentType string
	// failed is the browser's error text when loading failed.
	failed string
	doc    bool
	// query is a GraphQL request's fb_api_req_friendly_name, "" when the request did not
	// say.
	query string
}

// netLog follows a tab's network events. Its onEvent runs on chromedp's event goroutine and
// only records; bodies are read later with Network.getResponseBody, once a response's
// loadingFinished has come, from the walk's goroutine.
type netLog struct {
	mu        sync.Mutex
	mainFrame cdp.FrameID
	wantDoc   bool
	doc       *netResponse
	docDone   bool
	pending   map[network.RequestID]*netResponse
	answers   []netResponse
	notify    chan struct{}
	// queries are the friendly names of the GraphQL requests sent; feedQuery is the one the
	// page declared for its feed, once known.
	queries   map[network.RequestID]string
	feedQuery string
}

func newNetLog() *netLog {
	return &netLog{pending: map[network.RequestID]*netResponse{}, queries: map[network.RequestID]string{}, notify: make(chan struct{}, 1)}
}

func (n *netLog) setMainFrame(id cdp.FrameID) {
	n.mu.Lock()
	n.mainFrame = id
	n.mu.Unlock()
}

// isGraphQL says a response is an answer of Facebook's GraphQL endpoint.
func isGraphQL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.TrimSuffix(u.Path, "/") == "/api/graphql"
}

// setFeedQuery names the feed's pagination query: answers of other queries are not pages.
func (n *netLog) setFeedQuery(name string) {
	n.mu.Lock()
	n.feedQuery = name
	n.mu.Unlock()
}

// feedAnswer says a GraphQL answer is a page of the feed: the page fetches other queries
// too (comments, presence, notifications), which are not pages and would read as
// unexpected ones. An answer whose query is not known is taken.
func (n *netLog) feedAnswer(query string) bool {
	switch {
	case query == "":
		return true
	case n.feedQuery != "":
		return query == n.feedQuery
	}
	return strings.HasSuffix(query, "PaginationQuery")
}

// friendlyName is a GraphQL request's query name: its X-FB-Friendly-Name header, else the
// fb_api_req_friendly_name of its form.
func friendlyName(r *network.Request) string {
	for k, v := range r.Headers {
		if s, ok := v.(string); ok && strings.EqualFold(k, "X-FB-Friendly-Name") {
			return s
		}
	}
	var body []byte
	for _, e := range r.PostDataEntries {
		body = append(body, e.Bytes...)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return form.Get("fb_api_req_friendly_name")
}

func (n *netLog) onEvent(ev any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Request != nil && isGraphQL(ev.Request.URL) {
			n.queries[ev.RequestID] = friendlyName(ev.Request)
		}
	case *network.EventResponseReceived:
		r := &netResponse{id: ev.RequestID, url: ev.Response.URL, status: int(ev.Response.Status), contentType: contentType(ev.Response)}
		switch {
		case n.wantDoc && ev.Type == network.ResourceTypeDocument && (n.mainFrame == "" || ev.FrameID == n.mainFrame):
			r.doc, n.wantDoc, n.doc, n.docDone = true, false, r, false
			n.pending[ev.RequestID] = r
		case isGraphQL(ev.Response.URL):
			r.query = n.queries[ev.RequestID]
			delete(n.queries, ev.RequestID)
			if n.feedAnswer(r.query) {
				n.pending[ev.RequestID] = r
			}
		}
	case *network.EventLoadingFinished:
		n.finish(ev.RequestID, "")
	case *network.EventLoadingFailed:
		text := ev.ErrorText
		if text == "" {
			text = "loading failed"
		}
		n.finish(ev.RequestID, text)
	}
}

func (n *netLog) finish(id network.RequestID, failed string) {
	r := n.pending[id]
	if r == nil {
		return
	}
	delete(n.pending, id)
	r.failed = failed
	if r.doc {
		n.docDone = true
	} else {
		n.answers = append(n.answers, *r)
	}
	select {
	case n.notify <- struct{}{}:
	default:
	}
}

func contentType(r *network.Response) string {
	for k, v := range r.Headers {
		if s, ok := v.(string); ok && strings.EqualFold(k, "content-type") {
			return s
		}
	}
	if r.Charset != "" {
		return r.MimeType + "; charset=" + r.Charset
	}
	return r.MimeType
}

// expectDocument makes the next main-frame document the page's.
func (n *netLog) expectDocument() {
	n.mu.Lock()
	n.wantDoc, n.doc, n.docDone = true, nil, false
	n.mu.Unlock()
}

// document returns the page's document once it finished loading; after the load event
// that is at once or within moments.
func (n *netLog) document() (netResponse, bool) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n.mu.Lock()
		doc, done := n.doc, n.docDone
		n.mu.Unlock()
		if doc != nil && done {
			return *doc, true
		}
		if time.Now().After(deadline) {
			return netResponse{}, false
		}
		select {
		case <-n.notify:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// nextAnswer takes the oldest finished GraphQL answer not yet handed over.
func (n *netLog) nextAnswer() (netResponse, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.answers) == 0 {
		return netResponse{}, false
	}
	r := n.answers[0]
	n.answers = n.answers[1:]
	return r, true
}

// waitAnswer waits up to d for a GraphQL answer.
func (n *netLog) waitAnswer(ctx context.Context, d time.Duration) (netResponse, bool, error) {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	for {
		if r, ok := n.nextAnswer(); ok {
			return r, true, nil
		}
		select {
		case <-ctx.Done():
			return netResponse{}, false, ctx.Err()
		case <-t.C:
			r, ok := n.nextAnswer()
			return r, ok, nil
		case <-n.notify:
		}
	}
}

// dropAnswers forgets the answers not yet handed over.
func (n *netLog) dropAnswers() {
	n.mu.Lock()
	n.answers = nil
	n.mu.Unlock()
}

// redactRaw is redactURL of a URL string: scheme, host and path, no query.
func redactRaw(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an invalid URL)"
	}
	return redactURL(u)
}
