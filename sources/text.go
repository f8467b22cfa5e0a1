package sources

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// isBlockElement tells the elements that end a line of text: paragraphs, line breaks and
// the like.
func isBlockElement(tag string) bool {
	switch tag {
	case "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
		"blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "hr":
		return true
	}
	return false
}

// textOf is the readable text of the selection: each paragraph, line break or other block
// starts a new line, white space within a line collapses to one space, blank lines go.
// Scripts and styles are not text.
func textOf(sel *goquery.Selection) string {
	var b strings.Builder
	for _, n := range sel.Nodes {
		writeText(&b, n)
		b.WriteByte('\n')
	}
	return tidyLines(b.String())
}

func writeText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(n.Data)
		return
	case html.ElementNode:
		switch n.Data {
		case "script", "style", "noscript", "template":
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	block := n.Type == html.ElementNode && isBlockElement(n.Data)
	if block {
		b.WriteByte('\n')
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeText(b, c)
	}
	if block {
		b.WriteByte('\n')
	}
}

// tidyLines collapses white space (no-break spaces too) within each line and drops empty
// lines.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.Fields(strings.ReplaceAll(l, "\u00a0", " ")), " ")
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// untruncated is a copy of a post's text element with the "… More" truncation undone:
// the "…" and the "More" link go, the text they stood for (already in the page, hidden)
// stays where it is.
func untruncated(text *goquery.Selection, m facebookMatchers, moreText []string) *goquery.Selection {
	c := text.Clone()
	hides := c.FindMatcher(m.TruncatedHide)
	// Facebook sometimes puts the "More" link right after the element holding the "…"
	// rather than inside it: look for it after the "…" and after each ancestor that ends
	// with the "…", up to the copy's root, which has no siblings.
	hides.Each(func(_ int, h *goquery.Selection) {
		for e := h; e.Length() > 0; e = e.Parent() {
			next := e.Next()
			if next.Is("a") && isMoreText(next.Text(), moreText) {
				next.Remove()
				break
			}
			if next.Length() > 0 {
				break
			}
		}
	})
	hides.Remove()
	c.FindMatcher(m.MoreLink).Remove()
	return c
}

func isMoreText(t string, more []string) bool {
	t = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), "…"))
	for _, m := range more {
		if t == m {
			return true
		}
	}
	return false
}
