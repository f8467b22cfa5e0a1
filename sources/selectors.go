package sources

// FacebookSelectors is every selector, phrase and pattern the Facebook parser reads a page
// with, so that a change of Facebook's markup is one edit here. The defaults fit the 2020–2021
// m.facebook.com "touch" markup (<article data-ft=…>) and the logged-out www.facebook.com
// single-post page.
type FacebookSelectors struct {
	// Post matches one post: feed articles anywhere (the pinned post sits outside the stories
	// container) and the post of a single-post page. A match inside another match is a shared
	// post shown within a post, and is not a post of its own.
	Post string
	// DesktopPost matches a post on www.facebook.com, whose markup arrives inside HTML
	// comments within CommentedMarkupTag elements; the parser unwraps them first.
	DesktopPost        string
	CommentedMarkupTag string
	// Attachment is what a post attaches: a link preview, photos, or a shared post. Header,
	// time and text are never taken from inside it.
	Attachment string

	Header string // the post's header, holding author and time
	Author string // within Header: the author's link
	Time   string // within Header: the displayed time
	Text   string // the post's own text, outside Attachment
	// TruncatedHide is the "…" and its "More" link that stand for text cut off; the cut-off
	// text itself (.text_exposed_show) is in the page and is kept.
	TruncatedHide string
	// MoreLink is the "More" link; Facebook sometimes puts it after TruncatedHide rather than
	// inside.
	MoreLink string
	// MoreLinkText is the text of a bare "More" link that follows TruncatedHide.
	MoreLinkText []string
	Images       string // within Attachment: pictures of the post (not profile pictures)

	Counts   string // the footer's counts, also the permalink when the header has none
	Likes    string // within Counts: "18 Likes"
	Comments string // within Counts: "4 comments"
	Shares   string // within Counts: "1 share"

	// FeedbackID is the footer element whose id ends in the post id, for markup whose data-ft
	// lacks top_level_post_id.
	FeedbackID string

	DesktopAuthor   string // within DesktopPost
	DesktopTime     string // within DesktopPost; data-utime holds unix seconds
	DesktopText     string // within DesktopPost
	DesktopSubtitle string // within DesktopPost; id "feed_subtitle_<owner>;<post id>;…"
	DesktopImages   string // within DesktopPost

	// NextPage is the "See more posts" link of a group feed.
	NextPage string
	// PageMoreCursor is a regular expression whose first group is the next-page URL of a page
	// feed, written in an inline script (JSON-escaped inside a cursor response).
	PageMoreCursor string

	// Comment, CommentAuthor, CommentBody and CommentTime read a single-post page's comments.
	Comment       string
	CommentAuthor string
	CommentBody   string
	CommentTime   string

	// PermalinkView holds a single-post page's post and comments.
	PermalinkView string
	// LoginForm is a login form's password field. On its own it proves nothing (logged-out
	// pages show login forms beside the posts), so it counts only when there are no posts.
	LoginForm string

	// Phrases (lower case, straight apostrophes) of the title, headings or text of a page that
	// has no posts, and URL path prefixes of the final URL, that classify a page as a login
	// wall, a block, a checkpoint, a missing page or a consent interstitial.
	LoginPaths        []string
	LoginPhrases      []string
	BlockedPhrases    []string
	CheckpointPaths   []string
	CheckpointPhrases []string
	NotFoundPhrases   []string
	ConsentPaths      []string
	ConsentPhrases    []string
	// Headings are where a page that is not a feed states what it is.
	Headings string
}

// DefaultFacebookSelectors are the selectors that read the reference pages of 2020–2021.
func DefaultFacebookSelectors() FacebookSelectors {
	return FacebookSelectors{
		Post:               `article[data-ft*="top_level_post_id"], #m_story_permalink_view div[data-ft*="top_level_post_id"]`,
		DesktopPost:        `.userContentWrapper`,
		CommentedMarkupTag: `code`,
		Attachment:         `div[data-ft='{"tn":"H"}']`,

		Header:        `header`,
		Author:        `h3 strong a`,
		Time:          `abbr`,
		Text:          `div[data-ft='{"tn":"*s"}']`,
		TruncatedHide: `.text_exposed_hide`,
		MoreLink:      `[data-sigil="more"]`,
		MoreLinkText:  []string{"More", "See more", "See More"},
		Images:        `img:not(.profpic)`,

		Counts:   `footer [id^="counts_feedback_inline_"]`,
		Likes:    `.like_def`,
		Comments: `.cmt_def`,
		Shares:   `span._28wy:not(.like_def):not(.cmt_def)`,

		FeedbackID: `footer [id^="feedback_inline_"]`,

		DesktopAuthor:   `h5 a`,
		DesktopTime:     `abbr[data-utime]`,
		DesktopText:     `.userContent`,
		DesktopSubtitle: `[id^="feed_subtitle_"]`,
		DesktopImages:   `div[data-ft='{"tn":"H"}'] img`,

		NextPage:       `#m_more_item a`,
		PageMoreCursor: `href"?\s*[:=]\s*"((?:\\?/)page_content_list_view(?:\\?/)more(?:\\?/)[^"]*)"`,

		Comment:       `div[data-sigil="comment"]`,
		CommentAuthor: `._2b05`,
		CommentBody:   `[data-sigil="comment-body"]`,
		CommentTime:   `abbr`,

		PermalinkView: `#m_story_permalink_view`,
		LoginForm:     `input[name="pass"]`,

		LoginPaths:   []string{"/login"},
		LoginPhrases: []string{"log in to facebook", "log into facebook", "you must log in", "log in to continue"},
		BlockedPhrases: []string{
			"you're temporarily blocked", "you've been temporarily blocked", "you can't use this feature",
			"misusing this feature by going too fast", "blocked by our security systems",
		},
		CheckpointPaths: []string{"/checkpoint"},
		CheckpointPhrases: []string{
			"we suspended your account", "your account has been disabled", "your account has been locked",
			"we saw unusual activity", "security check required",
		},
		NotFoundPhrases: []string{
			"page not found", "content not found", "this content isn't available", "this page isn't available",
			"the page you requested cannot be displayed", "the link you followed may be broken",
		},
		ConsentPaths:   []string{"/cookie/consent", "/privacy/consent", "/user_cookie_prompt"},
		ConsentPhrases: []string{"allow the use of cookies", "allow all cookies", "accept cookies"},
		Headings:       "h1, h2, [role=heading]",
	}
}
