package sources

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
)

// Feed reads RSS and Atom (and JSON Feed) with gofeed. A feed has no next page: it is read
// whole at every crawl, and the posts already stored stop nothing but are not published
// again. It is safe for concurrent use: each Parse makes its own gofeed parser.
type Feed struct{}

// Parse reads the feed's items as posts: the item's GUID (else its link) is the id, the
// title and the description or content, stripped of markup, are the text.
func (Feed) Parse(r Response) (Page, error) {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return Page{}, fmt.Errorf("%w: empty body", ErrNotHTML)
	}
	f, err := gofeed.NewParser().ParseString(string(r.Body))
	if err != nil {
		// Not a feed: a login page, an error page, a consent wall. Keep it for debugging.
		return Page{Verdict: VerdictUnexpected, Body: keep(r.Body)}, nil
	}
	page := Page{Verdict: VerdictOK}
	for _, it := range f.Items {
		id := strings.TrimSpace(it.GUID)
		if id == "" {
			id = strings.TrimSpace(it.Link)
		}
		if id == "" {
			continue
		}
		p := Post{ExternalID: id, URL: it.Link, Text: feedText(it)}
		if a := it.Author; a != nil {
			p.Author = a.Name
		} else if len(it.Authors) > 0 && it.Authors[0] != nil {
			p.Author = it.Authors[0].Name
		}
		switch {
		case it.PublishedParsed != nil:
			p.PostedAt = it.PublishedParsed.UTC()
			p.PostedAtText = it.Published
		case it.UpdatedParsed != nil:
			p.PostedAt = it.UpdatedParsed.UTC()
			p.PostedAtText = it.Updated
		}
		if it.Image != nil && it.Image.URL != "" {
			p.Images = append(p.Images, it.Image.URL)
		}
		for _, enc := range it.Enclosures {
			// gofeed also offers an image enclosure as the item's Image.
			if strings.HasPrefix(enc.Type, "image/") && (len(p.Images) == 0 || p.Images[0] != enc.URL) {
				p.Images = append(p.Images, enc.URL)
			}
		}
		page.Posts = append(page.Posts, p)
	}
	return page, nil
}

// feedText is the title and the body of an item as plain text, one per line.
func feedText(it *gofeed.Item) string {
	body := it.Content
	if body == "" {
		body = it.Description
	}
	var parts []string
	if t := strings.TrimSpace(it.Title); t != "" {
		parts = append(parts, t)
	}
	if b := plainText(body); b != "" && b != strings.TrimSpace(it.Title) {
		parts = append(parts, b)
	}
	return strings.Join(parts, "\n")
}

// plainText drops the markup of an HTML fragment (feeds often carry HTML descriptions).
func plainText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&") {
		return strings.TrimSpace(fragment)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(fragment))
	if err != nil {
		return strings.TrimSpace(fragment)
	}
	return strings.TrimSpace(doc.Text())
}

func keep(body []byte) string {
	if len(body) > MaxKeptBody {
		body = body[:MaxKeptBody]
	}
	return string(body)
}
