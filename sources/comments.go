package sources

import (
	"github.com/PuerkitoBio/goquery"
)

// comments reads the comments of a single-post page and makes the post's comment count at
// least the number shown: such a page has no counts footer.
func (rd reader) comments(doc *goquery.Document, posts []Post) []Comment {
	view := doc.FindMatcher(rd.f.m.PermalinkView).First()
	if view.Length() == 0 || len(posts) == 0 {
		return nil
	}
	postID := parseDataFT(view.FindMatcher(rd.f.m.Post).First().AttrOr("data-ft", "")).PostID
	post := 0
	for i := range posts {
		if posts[i].ExternalID == postID {
			post = i
		}
	}
	var out []Comment
	view.FindMatcher(rd.f.m.Comment).Each(func(_ int, c *goquery.Selection) {
		id := c.AttrOr("id", "")
		if id == "" {
			return
		}
		abbr := c.FindMatcher(rd.f.m.CommentTime).First()
		out = append(out, Comment{
			ExternalID:   id,
			PostID:       posts[post].ExternalID,
			Author:       textOf(c.FindMatcher(rd.f.m.CommentAuthor).First()),
			AuthorURL:    cleanFacebookURL(rd.base, c.FindMatcher(rd.f.m.CommentAuthor).Find("a").AttrOr("href", "")),
			Text:         textOf(c.FindMatcher(rd.f.m.CommentBody).First()),
			PostedAt:     rd.displayedTime(abbr),
			PostedAtText: textOf(abbr),
		})
	})
	posts[post].Comments = max(posts[post].Comments, len(out))
	return out
}
