package crawl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"groupwatch/clock"
	"groupwatch/config"
	"groupwatch/sources"
)

// Defaults of BrowserPages.
const (
	// DefaultBrowserTimeLimit bounds one crawl in the browser, scrolling included.
	DefaultBrowserTimeLimit = 5 * time.Minute
	// scrollWait is how long one scroll waits for the page to fetch its next answer
	// before it scrolls again.
	scrollWait = 5 * time.Second
)

// BrowserPages fetches a source's pages in headless Chromium with the account's cookies:
// it opens the first page, reads the document as the server sent it (the Comet page's
// embedded JSON), then scrolls, each scroll paced like a request, and hands over every
// /api/graphql/ answer the page's own script fetches, until the parser sees no next page,
// the run has what it wants (stop-after-seen, max pages) or TimeLimit runs out. A page
// with a next link (m-site) is opened like the first. A run that resumes at a stored
// cursor opens the first page for its query and tokens and has the page itself post the
// query from that cursor on, since scrolling would start again at the top.
type BrowserPages struct {
	Browser *Browser
	// Cookies are loaded into the browser before the first page opens.
	Cookies []*http.Cookie
	// Limiter, Interval and Keys pace page loads and scrolls as Fetcher paces requests.
	Limiter  Pacer
	Interval time.Duration
	Keys     []string
	// TimeLimit bounds one run, paced waits included, in wall-clock time (the browser's
	// own timeouts are). Default DefaultBrowserTimeLimit.
	TimeLimit time.Duration
	// Clock paces and backs off; default the wall clock.
	Clock clock.Clock
}

// Walk opens a tab in the account's browser and loads the cookies into it.
func (p *BrowserPages) Walk(ctx context.Context, src config.Source, resume string, parse ParseFunc) (Walk, error) {
	tab, closeTab, err := p.Browser.Tab(src.AccountName())
	if err != nil {
		return nil, err
	}
	limit := p.TimeLimit
	if limit <= 0 {
		limit = DefaultBrowserTimeLimit
	}
	w := &browserWalk{
		p: p, tab: tab, closeTab: closeTab, first: FirstPageURL(src), resume: resume, parse: parse,
		net: newNetLog(), deadline: time.Now().Add(limit), limit: limit,
	}
	if err := chromedp.Listen(tab, w.net.onEvent); err != nil {
		closeTab()
		return nil, fmt.Errorf("cannot listen to the browser tab: %w", err)
	}
	if err := w.setCookies(ctx); err != nil {
		closeTab()
		return nil, err
	}
	frameCtx, cancel := context.WithTimeout(tab, startTimeout)
	defer cancel()
	tree, err := chromedp.Call(frameCtx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		closeTab()
		return nil, fmt.Errorf("cannot read the browser tab's frame: %w", err)
	}
	w.net.setMainFrame(tree.FrameTree.Frame.ID)
	return w, nil
}

func (p *BrowserPages) clock() clock.Clock {
	if p.Clock == nil {
		return clock.Real{}
	}
	return p.Clock
}

type browserWalk struct {
	p        *BrowserPages
	tab      context.Context
	closeTab context.CancelFunc
	first    string
	resume   string
	parse    ParseFunc
	net      *netLog
	deadline time.Time
	limit    time.Duration

	started bool
	// direct: the walk posts the query from the page itself (a resumed run) rather than
	// scrolling.
	direct bool
	query  *sources.GraphQLQuery
}

func (w *browserWalk) Close() { w.closeTab() }

func (w *browserWalk) Next(ctx context.Context, prev *sources.Page) (*Page, error) {
	if !w.started {
		w.started = true
		if cursor, ok := graphQLCursor(w.resume); ok {
			return w.resumeQuery(ctx, cursor)
		}
		if w.resume != "" {
			return w.open(ctx, w.resume)
		}
		return w.open(ctx, w.first)
	}
	if prev == nil {
		return nil, nil
	}
	if prev.NextQuery != nil && w.query == nil {
		w.query = prev.NextQuery
		w.net.setFeedQuery(w.query.FriendlyName)
	}
	switch {
	case prev.Next != "":
		return w.open(ctx, prev.Next)
	case prev.NextCursor == "":
		return nil, nil
	case w.direct:
		return w.postQuery(ctx, prev.NextCursor)
	}
	return w.scroll(ctx)
}

// run runs an action on the tab within the walk's time limit and the crawl's context.
func (w *browserWalk) run(ctx context.Context, a chromedp.Action[chromedp.Void]) error {
	runCtx, cancel := context.WithDeadline(w.tab, w.deadline)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	_, err := chromedp.Run(runCtx, a)
	return err
}

func (w *browserWalk) pace(ctx context.Context) error {
	if w.p.Limiter == nil {
		return nil
	}
	return w.p.Limiter.WaitFor(ctx, w.p.Interval, w.p.Keys...)
}

// open navigates to a page and returns its document as the server sent it, after any
// redirect (a login wall is a redirect to /login). A 5xx or 429 document is loaded again
// after a doubling wait, as Fetcher retries a request.
func (w *browserWalk) open(ctx context.Context, rawURL string) (*Page, error) {
	wait := defaultBackoff
	for attempt := 1; ; attempt++ {
		pg, err := w.openOnce(ctx, rawURL)
		if err != nil || (pg.Status < 500 && pg.Status != http.StatusTooManyRequests) || attempt == browserAttempts {
			return pg, err
		}
		if !w.p.clock().Sleep(ctx, wait) {
			return nil, ctx.Err()
		}
		wait = min(wait*2, maxBackoff)
	}
}

// browserAttempts bounds the loads of one page that keeps answering 5xx or 429.
const browserAttempts = 3

func (w *browserWalk) openOnce(ctx context.Context, rawURL string) (*Page, error) {
	if err := w.pace(ctx); err != nil {
		return nil, err
	}
	w.net.expectDocument()
	if err := w.run(ctx, chromedp.Navigate(rawURL)); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !time.Now().Before(w.deadline) {
			return nil, fmt.Errorf("open %s in the browser: the time limit of %s ran out", redactRaw(rawURL), w.limit)
		}
		return nil, fmt.Errorf("open %s in the browser: %v", redactRaw(rawURL), err)
	}
	doc, ok := w.net.document()
	if !ok {
		return nil, fmt.Errorf("open %s in the browser: no document came back", redactRaw(rawURL))
	}
	return w.body(ctx, doc)
}

// scroll scrolls to the bottom until the page has fetched its next answer, each scroll
// paced, and returns that answer; a *Stop when the time limit runs out first.
func (w *browserWalk) scroll(ctx context.Context) (*Page, error) {
	for {
		if r, ok := w.net.nextAnswer(); ok {
			return w.body(ctx, r)
		}
		if !time.Now().Before(w.deadline) {
			return nil, w.timeUp()
		}
		if err := w.pace(ctx); err != nil {
			return nil, err
		}
		if err := w.run(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](`window.scrollTo(0, document.documentElement.scrollHeight); null`)(ctx, t)
			return err
		})); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, w.timeUpOr(err)
		}
		if r, ok, err := w.net.waitAnswer(ctx, min(scrollWait, time.Until(w.deadline))); err != nil {
			return nil, err
		} else if ok {
			return w.body(ctx, r)
		}
	}
}

// resumeQuery continues at a stored cursor: the first page gives the query and tokens (a
// wall or block there is the run's page), then the page posts the query itself.
func (w *browserWalk) resumeQuery(ctx context.Context, cursor string) (*Page, error) {
	first, err := w.open(ctx, w.first)
	if err != nil {
		return nil, err
	}
	parsed, err := w.parse(first)
	if err != nil || parsed.Verdict != sources.VerdictOK {
		return first, nil
	}
	w.query, w.direct = parsed.NextQuery, true
	if !usableQuery(w.query) {
		return nil, &Stop{Reason: "cannot resume at the stored cursor: " + noQuery}
	}
	w.net.setFeedQuery(w.query.FriendlyName)
	w.net.dropAnswers() // what the page fetched on its own is from the top of the feed
	return w.postQuery(ctx, cursor)
}

// postQuery has the page post the feed's query with cursor, as its own script would, and
// returns the answer. The form, tokens included, goes to the browser over the DevTools
// pipe and nowhere else.
func (w *browserWalk) postQuery(ctx context.Context, cursor string) (*Page, error) {
	if !usableQuery(w.query) {
		return nil, &Stop{Reason: noQuery}
	}
	if err := w.pace(ctx); err != nil {
		return nil, err
	}
	form, _, err := graphQLForm(w.query, cursor, w.p.userID())
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(form.Encode()) // a JSON string is a JavaScript string literal
	if err != nil {
		return nil, err
	}
	script := `fetch("/api/graphql/", {method: "POST", credentials: "include", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: ` + string(body) + `}).catch(() => {}); null`
	if err := w.run(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](script)(ctx, t)
		return err
	})); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, w.timeUpOr(fmt.Errorf("post the feed's query in the browser: %v", err))
	}
	r, ok, err := w.net.waitAnswer(ctx, time.Until(w.deadline))
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, w.timeUp()
	}
	return w.body(ctx, r)
}

// body reads a finished response's body from the browser, off the event goroutine.
func (w *browserWalk) body(ctx context.Context, r netResponse) (*Page, error) {
	if r.failed != "" {
		return nil, fmt.Errorf("load %s in the browser: %s", redactRaw(r.url), r.failed)
	}
	var res network.GetResponseBodyResult
	err := w.run(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		res, err = cdp.Call(ctx, t, network.GetResponseBody, network.GetResponseBodyParams{RequestID: r.id})
		return err
	}))
	if err != nil {
		return nil, fmt.Errorf("read %s from the browser: %v", redactRaw(r.url), err)
	}
	return &Page{URL: r.url, Status: r.status, Body: res.Body, ContentType: r.contentType, Fetched: w.p.clock().Now().UTC()}, nil
}

func (w *browserWalk) timeUp() error {
	return &Stop{Reason: fmt.Sprintf("the browser's time limit of %s ran out before the next page came", w.limit)}
}

func (w *browserWalk) timeUpOr(err error) error {
	if !time.Now().Before(w.deadline) {
		return w.timeUp()
	}
	return err
}

// setCookies loads the account's cookies into the browser before anything opens.
func (w *browserWalk) setCookies(ctx context.Context) error {
	params := make([]*network.CookieParam, 0, len(w.p.Cookies))
	for _, c := range w.p.Cookies {
		cp := &network.CookieParam{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path, Secure: c.Secure, HTTPOnly: c.HttpOnly}
		if cp.Path == "" {
			cp.Path = "/"
		}
		if !c.Expires.IsZero() {
			cp.Expires = cdp.TimeSinceEpoch(float64(c.Expires.Unix()))
		}
		params = append(params, cp)
	}
	if len(params) == 0 {
		return nil
	}
	err := w.run(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetCookies, network.SetCookiesParams{Cookies: params})
		return err
	}))
	if err != nil {
		// The protocol's error names the cookie at most, never its value.
		return fmt.Errorf("cannot load the cookies into the browser: %v", err)
	}
	return nil
}

// userID is the account's id, the c_user cookie: the av field of a query.
func (p *BrowserPages) userID() string {
	for _, c := range p.Cookies {
		if c.Name == "c_user" {
			return c.Value
		}
	}
	return ""
}
