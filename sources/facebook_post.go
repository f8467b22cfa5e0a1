package sources

import (
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
)

// mobilePost reads one m.facebook.com post element (an <article>, or the div of a
// single-post page). ok is false when no id can be found for it.
func (rd reader) mobilePost(el *goquery.Selection) (Post, bool) {
	m := rd.f.m
	ft := parseDataFT(el.AttrOr("data-ft", ""))
	p := Post{
		ExternalID:       ft.PostID,
		AuthorID:         ft.OwnerID,
		SharedExternalID: ft.OriginalID,
	}
	if p.ExternalID == "" {
		p.ExternalID = rd.fallbackID(el, ft)
	}
	if p.ExternalID == "" {
		return Post{}, false
	}

	header := own(el, m.Header, m.Nested).First()
	author := header.FindMatcher(m.Author).First()
	p.Author = textOf(author)
	p.AuthorURL = cleanFacebookURL(rd.base, author.AttrOr("href", ""))

	abbr := header.FindMatcher(m.Time).First()
	p.PostedAtText = textOf(abbr)
	if ft.HasPublished {
		p.PostedAt = time.Unix(ft.PublishedUnix, 0).UTC()
	} else {
		p.PostedAt = rd.displayedTime(abbr)
	}

	var texts []string
	own(el, m.Text, m.Nested).Each(func(_ int, t *goquery.Selection) {
		if s := textOf(untruncated(t, m, rd.f.sel.MoreLinkText)); s != "" {
			texts = append(texts, s)
		}
	})
	p.Text = strings.Join(texts, "\n")

	counts := own(el, m.Counts, m.Nested).First()
	p.Likes = ParseCount(textOf(counts.FindMatcher(m.Likes).First()))
	p.Comments = ParseCount(textOf(counts.FindMatcher(m.Comments).First()))
	p.Shares = ParseCount(textOf(counts.FindMatcher(m.Shares).First()))

	p.URL = cleanFacebookURL(rd.base, abbr.Closest("a").AttrOr("href", ""))
	if p.URL == "" {
		p.URL = cleanFacebookURL(rd.base, counts.Find("a").First().AttrOr("href", ""))
	}

	attachments := own(el, m.Attachment, m.Post)
	p.Images = rd.imageURLs(attachments.FindMatcher(m.Images).FilterFunction(func(_ int, img *goquery.Selection) bool {
		return !within(img, el, m.Post)
	}))
	if p.SharedExternalID == "" {
		// Older markup names no original_content_id; the shared post is shown inside.
		p.SharedExternalID = parseDataFT(attachments.FindMatcher(m.Post).First().AttrOr("data-ft", "")).PostID
	}
	return p, true
}

// fallbackID finds a post's id where data-ft has no top_level_post_id: data-store's
// feedback_target, the footer's feedback_inline_<id>, or the story key.
func (rd reader) fallbackID(el *goquery.Selection, ft dataFT) string {
	if id := dataStoreFeedbackTarget(el.AttrOr("data-store", "")); id != "" {
		return id
	}
	fb := own(el, rd.f.m.FeedbackID, rd.f.m.Post).First().AttrOr("id", "")
	if _, id, ok := strings.Cut(fb, "feedback_inline_"); ok && id != "" {
		return id
	}
	return ft.StoryKey
}

// displayedTime is the time an <abbr> shows: exact when it carries data-utime (unix
// seconds), else its text read against the fetch time; zero when neither can be read.
func (rd reader) displayedTime(abbr *goquery.Selection) time.Time {
	if secs, err := strconv.ParseInt(abbr.AttrOr("data-utime", ""), 10, 64); err == nil && plausibleTime(time.Unix(secs, 0)) {
		return time.Unix(secs, 0).UTC()
	}
	t, err := ParseTime(textOf(abbr), rd.now, rd.f.loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// imageURLs are the absolute src of the images, each once.
func (rd reader) imageURLs(imgs *goquery.Selection) []string {
	var out []string
	seen := map[string]bool{}
	imgs.Each(func(_ int, img *goquery.Selection) {
		if u := absoluteURL(rd.base, img.AttrOr("src", "")); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	})
	return out
}

// own is what in post matches sel and is not inside an element matching exclude within it.
func own(post *goquery.Selection, sel, exclude cascadia.Selector) *goquery.Selection {
	return post.FindMatcher(sel).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return !within(s, post, exclude)
	})
}

// within tells whether an ancestor of s below post matches m.
func within(s, post *goquery.Selection, m cascadia.Selector) bool {
	stop := post.Get(0)
	for n := s.Get(0).Parent; n != nil && n != stop; n = n.Parent {
		if m.Match(n) {
			return true
		}
	}
	return false
}
