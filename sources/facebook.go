package sources

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// FacebookGroup reads Facebook pages of both eras, telling from each page which markup it
// has: the www.facebook.com ("Comet") pages of today, whose stories are Relay JSON in
// data-sjs scripts (comet.go), and the /api/graphql/ answers of their later pages
// (MarkupGraphQL); and the m.facebook.com markup of 2020–2021 (MarkupMSite): group and
// page feeds, single-post pages, the cursor responses (for (;;);{json}) of page feeds, and
// the logged-out www.facebook.com single-post page. It is safe for concurrent use.
type FacebookGroup struct {
	sel    FacebookSelectors
	m      facebookMatchers
	cursor *regexp.Regexp
	// commented finds markup sent inside HTML comments.
	commented *regexp.Regexp
	loc       *time.Location
}

// FacebookOptions configure NewFacebookGroup.
type FacebookOptions struct {
	// Selectors read the markup; the zero value means DefaultFacebookSelectors().
	Selectors *FacebookSelectors
	// Location is the time zone the pages show times in ("20 May at 01:10"): the account's,
	// or when logged out the one Facebook guessed for the client. Default UTC. Exact
	// publish times in the markup do not depend on it.
	Location *time.Location
}

// The bases of relative links when the response's URL is unknown.
const (
	defaultFacebookBase = "https://m.facebook.com/"
	desktopFacebookBase = "https://www.facebook.com/"
)

// NewFacebookGroup checks the selectors and returns a parser.
func NewFacebookGroup(opts FacebookOptions) (*FacebookGroup, error) {
	sel := DefaultFacebookSelectors()
	if opts.Selectors != nil {
		sel = *opts.Selectors
	}
	m, err := compileFacebook(sel)
	if err != nil {
		return nil, err
	}
	cursor, err := regexp.Compile(sel.PageMoreCursor)
	if err != nil {
		return nil, fmt.Errorf("cannot compile PageMoreCursor: %w", err)
	}
	if cursor.NumSubexp() < 1 {
		return nil, fmt.Errorf("PageMoreCursor %q has no group for the URL", sel.PageMoreCursor)
	}
	commented, err := commentedMarkup(sel.CommentedMarkupTag)
	if err != nil {
		return nil, err
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &FacebookGroup{sel: sel, m: m, cursor: cursor, commented: commented, loc: loc}, nil
}

// Parse classifies the response and reads its posts, comments and next-page link.
func (f *FacebookGroup) Parse(r Response) (Page, error) {
	if err := checkBody(r.Body); err != nil {
		return Page{}, err
	}
	now := r.FetchedAt
	if now.IsZero() {
		now = time.Now()
	}
	base := parseBase(r.URL)
	if v := f.verdictFromURL(base); v != "" {
		return Page{Verdict: v}, nil
	}
	switch detectFacebookMarkup(r.Body) {
	case MarkupComet:
		return f.parseComet(r, base)
	case MarkupGraphQL:
		return f.parseGraphQL(r, base)
	}

	body, scripts := string(r.Body), ""
	if cursorResponse(r.Body) {
		c, err := decodeCursorResponse(r.Body)
		if err != nil {
			return Page{}, err
		}
		if c.notLoggedIn {
			return Page{Verdict: VerdictLoginWall}, nil
		}
		if v := f.verdictFromPhrases([]string{c.errorText}); v != "" {
			// An error answer of the AJAX endpoints (also what /api/graphql/ answers a
			// rate-limited session): its summary says what it is.
			return Page{Verdict: v}, nil
		}
		body, scripts = c.html, c.scripts
	}
	body = unwrapCommentedMarkup(body, f.commented)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		return Page{}, fmt.Errorf("cannot parse HTML: %w", err)
	}
	if base == nil {
		base = f.pageBase(doc)
	}

	rd := reader{f: f, base: base, now: now}
	page := Page{Markup: MarkupMSite, Posts: rd.posts(doc), Next: rd.next(doc, body+scripts)}
	page.Comments = rd.comments(doc, page.Posts)
	if len(page.Posts) > 0 || page.Next != "" {
		page.Verdict = VerdictOK
		return page, nil
	}
	// Nothing was read as a feed: the page is only classified (a block, a login wall, a
	// missing group), whichever era's markup it is in.
	page.Markup = ""
	page.Verdict = f.verdictFromContent(doc)
	if page.Verdict == VerdictUnexpected {
		page.Body = keptBody(r.Body)
	}
	return page, nil
}

// pageBase is where the page's relative links point when the response's URL is unknown:
// www.facebook.com for its desktop markup, else m.facebook.com. (The canonical link does
// not tell: m.facebook.com pages name www.facebook.com there.)
func (f *FacebookGroup) pageBase(doc *goquery.Document) *url.URL {
	if doc.FindMatcher(f.m.DesktopPost).Length() > 0 {
		return parseBase(desktopFacebookBase)
	}
	return parseBase(defaultFacebookBase)
}

// reader holds what reading one page needs beside the parser.
type reader struct {
	f    *FacebookGroup
	base *url.URL
	now  time.Time
}

// posts are the page's posts in page order, each once; a post shown inside another (a
// shared post) is part of that post, not one of its own.
func (rd reader) posts(doc *goquery.Document) []Post {
	var posts []Post
	seen := map[string]bool{}
	add := func(p Post, ok bool) {
		if ok && !seen[p.ExternalID] {
			seen[p.ExternalID] = true
			posts = append(posts, p)
		}
	}
	doc.FindMatcher(rd.f.m.Post).Each(func(_ int, el *goquery.Selection) {
		if el.ParentsMatcher(rd.f.m.Post).Length() == 0 {
			add(rd.mobilePost(el))
		}
	})
	doc.FindMatcher(rd.f.m.DesktopPost).Each(func(_ int, el *goquery.Selection) {
		if el.ParentsMatcher(rd.f.m.DesktopPost).Length() == 0 {
			add(rd.desktopPost(el))
		}
	})
	return posts
}

// next is the group feed's "See more posts" link, else a page feed's cursor URL from its
// script.
func (rd reader) next(doc *goquery.Document, text string) string {
	if href, ok := doc.FindMatcher(rd.f.m.NextPage).First().Attr("href"); ok {
		if u := absoluteURL(rd.base, href); u != "" {
			return u
		}
	}
	m := rd.f.cursor.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return absoluteURL(rd.base, unescapeJS(m[1]))
}
