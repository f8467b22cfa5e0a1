package crawl

import (
	"context"
	"strings"

	"groupwatch/config"
	"groupwatch/sources"
)

// Pages is how a run gets its pages, whatever fetches them: HTTPPages (plain requests that
// follow next links and replay a Comet page's GraphQL query) or BrowserPages (headless
// Chromium that scrolls and listens). The Runner parses every response the same way; the
// parser never learns how a page was fetched.
type Pages interface {
	// Walk starts one run over src's pages. resume is the position an interrupted run of
	// the same job saved (Position of its last page), "" to start at the first page. parse
	// reads a response as the Runner will; a walk uses it only where it must read a page
	// the run does not count (the first page again, for the query and tokens a resumed
	// Comet walk needs).
	Walk(ctx context.Context, src config.Source, resume string, parse ParseFunc) (Walk, error)
}

// ParseFunc reads a fetched response.
type ParseFunc func(*Page) (sources.Page, error)

// Walk yields one run's responses in order.
type Walk interface {
	// Next returns the response after prev, which is what the parser read from the
	// previous response (nil before the first). It returns nil, nil when there is no page
	// after prev, and a *Stop when the walk ends on purpose before the last page.
	Next(ctx context.Context, prev *sources.Page) (*Page, error)
	// Close ends the walk (a browser closes its tab); the fetcher stays for the next run.
	Close()
}

// Stop ends a walk on purpose before the feed's end (no usable pagination query, the
// browser's time limit): the run keeps the verdict of its last page and records Reason.
type Stop struct{ Reason string }

func (s *Stop) Error() string { return s.Reason }

// graphQLPosition marks a stored position that is a Comet feed's cursor, not a URL.
const graphQLPosition = "graphql-cursor:"

// Position is where a run resumes after page p: its next link, or for a Comet feed its
// GraphQL cursor (marked, since it is not a URL); "" after the last page. It is stored in
// crawl_runs, so it never holds a secret: the query's tokens are read again from the first
// page when the run resumes.
func Position(p sources.Page) string {
	switch {
	case p.Next != "":
		return p.Next
	case p.NextCursor != "":
		return graphQLPosition + p.NextCursor
	}
	return ""
}

// graphQLCursor returns the cursor of a stored position that holds one.
func graphQLCursor(position string) (string, bool) {
	return strings.CutPrefix(position, graphQLPosition)
}
