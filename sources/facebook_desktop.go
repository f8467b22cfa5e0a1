package sources

import (
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// desktopPost reads one www.facebook.com post (.userContentWrapper). Its counts are only in
// scripts, so they stay 0.
func (rd reader) desktopPost(el *goquery.Selection) (Post, bool) {
	m := rd.f.m
	abbr := el.FindMatcher(m.DesktopTime).First()
	author := el.FindMatcher(m.DesktopAuthor).First()
	p := Post{
		Author:       textOf(author),
		AuthorURL:    cleanFacebookURL(rd.base, author.AttrOr("href", "")),
		PostedAtText: textOf(abbr),
		PostedAt:     rd.displayedTime(abbr),
		URL:          cleanFacebookURL(rd.base, abbr.Closest("a").AttrOr("href", "")),
		Images:       rd.imageURLs(el.FindMatcher(m.DesktopImages)),
	}
	var texts []string
	el.FindMatcher(m.DesktopText).Each(func(_ int, t *goquery.Selection) {
		if s := textOf(untruncated(t, m, rd.f.sel.MoreLinkText)); s != "" {
			texts = append(texts, s)
		}
	})
	p.Text = strings.Join(texts, "\n")
	// The subtitle's id is "feed_subtitle_<owner id>;<post id>;…".
	sub := strings.TrimPrefix(el.FindMatcher(m.DesktopSubtitle).First().AttrOr("id", ""), "feed_subtitle_")
	if parts := strings.Split(sub, ";"); len(parts) > 1 {
		p.AuthorID, p.ExternalID = parts[0], parts[1]
	}
	if p.ExternalID == "" {
		p.ExternalID = postIDFromURL(p.URL)
	}
	return p, p.ExternalID != ""
}

// postIDFromURL reads a post id from a permalink: story.php?story_fbid=<id>, or the number
// after /posts/ or /permalink/.
func postIDFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if id := u.Query().Get("story_fbid"); id != "" {
		return id
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "posts" || parts[i] == "permalink" {
			return parts[i+1]
		}
	}
	return ""
}
