package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"time"

	"groupwatch/clock"
)

// Defaults of a Fetcher.
const (
	DefaultUserAgent      = "Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
	DefaultAcceptLanguage = "en-GB,en;q=0.9"
	defaultMaxAttempts    = 5
	defaultBackoff        = 2 * time.Second
	maxBackoff            = 2 * time.Minute
	defaultMaxBody        = 8 << 20
)

// Page is one fetched response.
type Page struct {
	// URL is where the page finally came from, after redirects.
	URL string
	// Redirected says the request was redirected (a login wall often is).
	Redirected bool
	Status     int
	Body       []byte
	// ContentType is the response's Content-Type header: its charset decides the decoding.
	ContentType string
	// Truncated says the body was cut at MaxBody.
	Truncated bool
	// Fetched is the response's Date (a file's modification time for file://): relative
	// times on the page are read against it.
	Fetched time.Time
}

// Fetcher gets pages for one source.
type Fetcher struct {
	// UserAgent and AcceptLanguage are sent with every request. Defaults above.
	UserAgent      string
	AcceptLanguage string
	// Limiter, if set, spaces requests for Keys (e.g. "source:x", "account:y") by Interval.
	Limiter  Pacer
	Keys     []string
	Interval time.Duration
	// MaxAttempts per page on 5xx, 429 and network errors. Default 5.
	MaxAttempts int
	// Backoff is the first wait after a failure; it doubles up to 2 minutes. The jitter comes
	// from the Limiter, whose pace each attempt waits for too.
	Backoff time.Duration
	// Clock defaults to the wall clock.
	Clock clock.Clock
	// MaxBody bounds a page. Default 8 MiB.
	MaxBody int64

	client *http.Client
}

// NewFetcher returns a fetcher sending cookies (may be nil) through a cookie jar, which also
// keeps what the site sets during a crawl.
func NewFetcher(cookies []*http.Cookie) (*Fetcher, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	for _, c := range cookies {
		host := strings.TrimPrefix(c.Domain, ".")
		if host == "" {
			continue
		}
		path := c.Path
		if path == "" {
			path = "/"
		}
		// RFC 6265 ignores a leading dot; the jar would refuse it on an IP address.
		cc := *c
		cc.Domain = host
		jar.SetCookies(&url.URL{Scheme: "https", Host: host, Path: path}, []*http.Cookie{&cc})
	}
	return &Fetcher{client: &http.Client{Jar: jar, Timeout: 60 * time.Second, CheckRedirect: sameHostRedirects}}, nil
}

// ErrGaveUp is returned when a page still failed after MaxAttempts.
var ErrGaveUp = errors.New("gave up")

// Fetch gets a page: http(s) with politeness and retries, or file:// from disk. A 4xx page
// is returned, not an error: what it means (not found, blocked) is for the parser to say.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*Page, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if u.Scheme == "file" {
		return f.fetchFile(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("cannot fetch %s URLs (http, https or file)", u.Scheme)
	}
	return f.send(ctx, request{method: http.MethodGet, u: u})
}

// send makes a request politely: paced by the limiter, retried with backoff on 5xx, 429 and
// network errors.
func (f *Fetcher) send(ctx context.Context, r request) (*Page, error) {
	u := r.u
	clk := f.clock()
	attempts := f.MaxAttempts
	if attempts <= 0 {
		attempts = defaultMaxAttempts
	}
	wait := f.Backoff
	if wait <= 0 {
		wait = defaultBackoff
	}
	var last error
	for attempt := 1; attempt <= attempts; attempt++ {
		if f.Limiter != nil {
			if err := f.Limiter.WaitFor(ctx, f.Interval, f.Keys...); err != nil {
				return nil, err
			}
		}
		page, err := f.do(ctx, r)
		switch {
		case err == nil && page.Status < 500 && page.Status != http.StatusTooManyRequests:
			return page, nil
		case err == nil:
			last = fmt.Errorf("HTTP %d", page.Status)
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, ErrLinkRefused):
			return nil, err // a redirect off the source: no retry goes elsewhere
		default:
			last = err
		}
		if attempt == attempts {
			break
		}
		if !clk.Sleep(ctx, wait) {
			return nil, ctx.Err()
		}
		wait = min(wait*2, maxBackoff)
	}
	return nil, fmt.Errorf("%s %s: %w after %d attempts: %v", r.method, redactURL(u), ErrGaveUp, attempts, last)
}

// request is one request of a crawl: a GET of a page, or a form POST (a GraphQL query).
type request struct {
	method string
	u      *url.URL
	// form is the body of a POST, sent as application/x-www-form-urlencoded. It may hold
	// the session's tokens: it never reaches an error or a log.
	form   url.Values
	header http.Header
}

func (f *Fetcher) do(ctx context.Context, r request) (*Page, error) {
	u := r.u
	var reqBody io.Reader
	if r.form != nil {
		reqBody = strings.NewReader(r.form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), reqBody)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", r.method, redactURL(u), err)
	}
	req.Header.Set("User-Agent", or(f.UserAgent, DefaultUserAgent))
	req.Header.Set("Accept-Language", or(f.AcceptLanguage, DefaultAcceptLanguage))
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	resp, err := f.client.Do(req)
	if err != nil {
		// The error text holds the URL; keep the path, not the query.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("%s %s: %w", r.method, redactURL(u), ue.Err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	limit := f.MaxBody
	if limit <= 0 {
		limit = defaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading body: %v", r.method, redactURL(u), err)
	}
	truncated := int64(len(body)) > limit
	body = body[:min(int64(len(body)), limit)]
	fetched := f.clock().Now()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		fetched = d
	}
	final := resp.Request.URL
	return &Page{URL: final.String(), Redirected: final.String() != u.String(), Status: resp.StatusCode, Body: body, ContentType: resp.Header.Get("Content-Type"), Truncated: truncated, Fetched: fetched.UTC()}, nil
}

func (f *Fetcher) fetchFile(u *url.URL) (*Page, error) {
	path := u.Path
	if u.Host != "" && u.Host != "localhost" {
		path = u.Host + u.Path // file://relative/path.html
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read saved page: %w", err)
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read saved page: %w", err)
	}
	return &Page{URL: u.String(), Status: http.StatusOK, Body: body, Fetched: fi.ModTime().UTC()}, nil
}

func (f *Fetcher) clock() clock.Clock {
	if f.Clock == nil {
		return clock.Real{}
	}
	return f.Clock
}

// redactURL keeps scheme, host and path: a query may carry tokens.
func redactURL(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.Path
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
