package sources

import (
	"bytes"
	"encoding/json"
	"time"
)

// Verdict says what kind of page a response was, before anything is read from it.
type Verdict string

// The verdicts a parser gives. Only VerdictOK pages carry posts.
const (
	// VerdictOK: a page with posts, or at least a link to the next page.
	VerdictOK Verdict = "ok"
	// VerdictLoginWall: the site wants a login (a login page, or a redirect to one).
	VerdictLoginWall Verdict = "login_wall"
	// VerdictBlocked: the account or client is temporarily blocked for going too fast.
	VerdictBlocked Verdict = "blocked"
	// VerdictCheckpoint: the account must pass a security check before anything else.
	VerdictCheckpoint Verdict = "checkpoint"
	// VerdictNotFound: the group, page or post does not exist or is not visible.
	VerdictNotFound Verdict = "not_found"
	// VerdictConsent: a cookie-consent interstitial stands in front of the content.
	VerdictConsent Verdict = "consent"
	// VerdictUnexpected: none of the above, and no posts and no next link either. The page
	// keeps the start of the body so that someone can see what came back.
	VerdictUnexpected Verdict = "unexpected"
)

// MaxKeptBody bounds Page.Body: enough to recognise a page, small enough to log.
const MaxKeptBody = 64 << 10

// Response is one fetched page as a parser needs it.
type Response struct {
	// Body is the response body, decompressed.
	Body []byte
	// URL is the final URL after redirects. It decides login redirects and is the base of
	// relative links. Empty: the parser guesses the base (Facebook: the page's canonical
	// link, else https://m.facebook.com/; html: the selectors file's base_url).
	URL string
	// FetchedAt is when the response was received (its Date header); relative times such
	// as "9 hrs" are read against it. Zero means now.
	FetchedAt time.Time
	// ContentType is the response's Content-Type header, empty for a saved page: its
	// charset decides how the body is decoded.
	ContentType string
}

// Page is what a parser read from one response.
type Page struct {
	Verdict Verdict `json:"verdict"`
	// Next is the absolute URL of the next (older) page, or empty on the last page.
	Next  string `json:"next"`
	Posts []Post `json:"posts"`
	// Comments are the comments shown on a single-post page; feeds show none.
	Comments []Comment `json:"comments,omitempty"`
	// Body is the start of the body (at most MaxKeptBody bytes), kept only when the verdict
	// is VerdictUnexpected.
	Body string `json:"body,omitempty"`
	// Markup says which markup the page was read as: MarkupMSite, MarkupComet, MarkupGraphQL
	// (Facebook), MarkupHTML or MarkupFeed. Empty for a Facebook response that held no feed
	// and was only classified (a block, login wall, error answer or missing group).
	Markup string `json:"markup,omitempty"`
	// NextCursor is the feed's cursor for its next page on a Comet page or a GraphQL answer
	// whose page_info says has_next_page; empty on the last page. The fetcher sends it as
	// the "cursor" variable of NextQuery.
	NextCursor string `json:"next_cursor,omitempty"`
	// NextQuery is the pagination query a Comet page declares for its feed; nil when it
	// declares none, and on GraphQL answers (the fetcher keeps the first page's).
	NextQuery *GraphQLQuery `json:"next_query,omitempty"`
	// Note says what the parser noticed and could not act on, for the run's record (e.g.
	// "the page declares no pagination query: stopped after the first page").
	Note string `json:"note,omitempty"`
	// CutShort: the answer broke off inside its JSON (a GraphQL answer cut mid-line), so
	// what followed the break, often the cursor, was never read; asking again may get it whole.
	CutShort bool `json:"cut_short,omitempty"`
}

// The markups a page is read as (Page.Markup).
const (
	// MarkupMSite: Facebook's m.facebook.com / mbasic pages of 2020–2021 (<article data-ft>).
	MarkupMSite = "m_site"
	// MarkupComet: a www.facebook.com page whose stories are Relay JSON in <script data-sjs>.
	MarkupComet = "comet"
	// MarkupGraphQL: an /api/graphql/ answer, newline-delimited JSON.
	MarkupGraphQL = "graphql"
	// MarkupHTML: a listing page read through CSS selectors.
	MarkupHTML = "html"
	// MarkupFeed: RSS, Atom or JSON Feed.
	MarkupFeed = "feed"
)

// GraphQLQuery is a persisted GraphQL query as a Comet page declares it for its feed's next
// pages, sent as a form POST to /api/graphql/.
type GraphQLQuery struct {
	// FriendlyName is fb_api_req_friendly_name, e.g. GroupsCometFeedRegularStoriesPaginationQuery.
	FriendlyName string `json:"friendly_name"`
	// DocID is the persisted query's id (doc_id); it changes as Facebook deploys.
	DocID string `json:"doc_id"`
	// Variables are the query's variables without "cursor" (id, sortingSetting, count, …);
	// the fetcher adds the cursor of the page it asks for.
	Variables map[string]any `json:"variables"`
	// Tokens are the page's form tokens (fb_dtsg, lsd, jazoest, …) sent with the POST. They
	// belong to the user's session: never printed, logged or stored.
	Tokens map[string]string `json:"-"`
}

// Post is one post (or listing item) read from a page.
type Post struct {
	// ExternalID is the site's id of the post; unique within a source.
	ExternalID string
	Author     string
	AuthorURL  string
	// AuthorID is the site's id of the author, where the markup carries it.
	AuthorID string
	// Text is the full text, with "… More" truncation undone; paragraphs and line breaks
	// become "\n".
	Text string
	// PostedAt is when the post was published, in UTC; zero when the page does not say.
	PostedAt time.Time
	// PostedAtText is the time as the page shows it ("9 hrs", "20 May at 01:10").
	PostedAtText string
	// Likes, Comments and Shares are the counts the page shows; 0 when it shows none.
	Likes, Comments, Shares int
	// URL is the absolute permalink of the post, without tracking parameters.
	URL    string
	Images []string
	// SharedExternalID is the id of the original post when this post shares one.
	SharedExternalID string
	// Pinned: the post is shown above the feed whatever its time (a group's pinned or
	// featured post), so it says nothing about where the feed's new posts end and a crawler
	// never counts it toward stop-after-seen.
	Pinned bool
}

// Comment is one comment on a single-post page.
type Comment struct {
	ExternalID   string    `json:"external_id"`
	PostID       string    `json:"post_id"`
	Author       string    `json:"author"`
	AuthorURL    string    `json:"author_url,omitempty"`
	Text         string    `json:"text"`
	PostedAt     time.Time `json:"posted_at,omitzero"`
	PostedAtText string    `json:"posted_at_text"`
}

// postJSON is the wire form of Post: posted_at in RFC 3339 UTC and left out when unknown,
// images always a list.
type postJSON struct {
	ExternalID       string   `json:"external_id"`
	Author           string   `json:"author"`
	AuthorURL        string   `json:"author_url"`
	AuthorID         string   `json:"author_id,omitempty"`
	Text             string   `json:"text"`
	PostedAt         string   `json:"posted_at,omitempty"`
	PostedAtText     string   `json:"posted_at_text"`
	Likes            int      `json:"likes"`
	Comments         int      `json:"comments"`
	Shares           int      `json:"shares"`
	URL              string   `json:"url"`
	Images           []string `json:"images"`
	SharedExternalID string   `json:"shared_external_id"`
	Pinned           bool     `json:"pinned,omitempty"`
}

// MarshalJSON writes the post as the parse command prints it.
func (p Post) MarshalJSON() ([]byte, error) {
	w := postJSON{
		ExternalID: p.ExternalID, Author: p.Author, AuthorURL: p.AuthorURL, AuthorID: p.AuthorID,
		Text: p.Text, PostedAtText: p.PostedAtText, Likes: p.Likes, Comments: p.Comments,
		Shares: p.Shares, URL: p.URL, Images: p.Images, SharedExternalID: p.SharedExternalID,
		Pinned: p.Pinned,
	}
	if !p.PostedAt.IsZero() {
		w.PostedAt = p.PostedAt.UTC().Format(time.RFC3339)
	}
	if w.Images == nil {
		w.Images = []string{}
	}
	return marshalVerbatim(w)
}

// MarshalJSON writes posts as an empty list rather than null when there are none.
func (p Page) MarshalJSON() ([]byte, error) {
	type plain Page
	if p.Posts == nil {
		p.Posts = []Post{}
	}
	return marshalVerbatim(plain(p))
}

// marshalVerbatim is json.Marshal without escaping <, > and &: the output is read by people
// and programs, not put into HTML, and URLs full of \u0026 are hard to read. (An encoder's
// SetEscapeHTML(false) cannot undo the escaping a MarshalJSON method has already done.)
func marshalVerbatim(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
