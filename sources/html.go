package sources

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// HTML reads any listing page through configured CSS selectors (HTMLSelectors). It is safe
// for concurrent use.
type HTML struct {
	m    htmlMatchers
	base *url.URL
}

// NewHTML checks the selectors and returns a parser. loc is the time zone of displayed
// times when the selectors name none; nil means UTC.
func NewHTML(s HTMLSelectors, loc *time.Location) (*HTML, error) {
	m, err := compileHTML(s)
	if err != nil {
		return nil, fmt.Errorf("invalid selectors:\n%w", err)
	}
	if m.loc == nil {
		m.loc = loc
	}
	if m.loc == nil {
		m.loc = time.UTC
	}
	return &HTML{m: m, base: parseBase(s.BaseURL)}, nil
}

// Parse reads the items and the next-page link. A page with neither is unexpected; the html
// parser knows no login walls or blocks.
func (h *HTML) Parse(r Response) (Page, error) {
	if err := checkBody(r.Body); err != nil {
		return Page{}, err
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(r.Body)))
	if err != nil {
		return Page{}, fmt.Errorf("cannot parse HTML: %w", err)
	}
	now := r.FetchedAt
	if now.IsZero() {
		now = time.Now()
	}
	base := parseBase(r.URL)
	if base == nil {
		base = h.base
	}
	page := Page{}
	seen := map[string]bool{}
	doc.FindMatcher(h.m.item).Each(func(_ int, item *goquery.Selection) {
		p, ok := h.item(h.span(item), base, now)
		if ok && !seen[p.ExternalID] {
			seen[p.ExternalID] = true
			page.Posts = append(page.Posts, p)
		}
	})
	if h.m.next.on {
		if v := firstValue(h.m.next, doc.Selection); v != "" {
			page.Next = absoluteURL(base, v)
		}
	}
	page.Verdict = VerdictOK
	if len(page.Posts) == 0 && page.Next == "" {
		page.Verdict, page.Body = VerdictUnexpected, keptBody(r.Body)
	}
	return page, nil
}

// span is the item element and the siblings after it that belong to the same item.
func (h *HTML) span(item *goquery.Selection) *goquery.Selection {
	group := item
	for next, i := item.Next(), 1; i < h.m.span && next.Length() > 0; next, i = next.Next(), i+1 {
		group = group.AddSelection(next)
	}
	return group
}

func (h *HTML) item(group *goquery.Selection, base *url.URL, now time.Time) (Post, bool) {
	m := h.m
	p := Post{
		ExternalID: firstValue(m.id, group),
		Author:     firstValue(m.author, group),
		AuthorURL:  absoluteURL(base, firstValue(m.authorURL, group)),
		Text:       strings.Join(allValues(m.text, group), "\n"),
		URL:        absoluteURL(base, firstValue(m.url, group)),
		Likes:      ParseCount(firstValue(m.likes, group)),
		Comments:   ParseCount(firstValue(m.comments, group)),
		Shares:     ParseCount(firstValue(m.shares, group)),
	}
	for _, src := range allValues(m.images, group) {
		if u := absoluteURL(base, src); u != "" {
			p.Images = append(p.Images, u)
		}
	}
	if p.ExternalID == "" {
		p.ExternalID = p.URL
	}
	if p.ExternalID == "" {
		return Post{}, false
	}
	p.PostedAtText = firstValue(m.time, group)
	if p.PostedAtText != "" {
		p.PostedAt = h.time(p.PostedAtText, now)
	}
	return p, true
}

// time reads a displayed time by the configured layout, else as ParseTime does; zero when
// it cannot.
func (h *HTML) time(text string, now time.Time) time.Time {
	if h.m.time.Layout != "" {
		t, err := time.ParseInLocation(h.m.time.Layout, text, h.m.loc)
		if err != nil || !plausibleTime(t) {
			return time.Time{}
		}
		return t.UTC()
	}
	t, err := ParseTime(text, now, h.m.loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// matches are the elements of group the field points to: the first element itself when
// it has no selector, else the selector's matches within each element of the group in turn.
func matches(f compiledField, group *goquery.Selection) []*goquery.Selection {
	if !f.on || group.Length() == 0 {
		return nil
	}
	if f.sel == nil {
		return []*goquery.Selection{group.First()}
	}
	var out []*goquery.Selection
	group.Each(func(_ int, el *goquery.Selection) {
		el.FindMatcher(f.sel).Each(func(_ int, m *goquery.Selection) { out = append(out, m) })
	})
	return out
}

// value is the field's value in one element: the attribute or the text, through the
// pattern.
func value(f compiledField, s *goquery.Selection) string {
	var v string
	if f.Attr != "" {
		v = strings.TrimSpace(s.AttrOr(f.Attr, ""))
	} else {
		v = textOf(s)
	}
	if f.pattern != nil {
		m := f.pattern.FindStringSubmatch(v)
		switch {
		case m == nil:
			v = ""
		case len(m) > 1:
			v = m[1]
		default:
			v = m[0]
		}
	}
	return v
}

// firstValue is the first non-empty value of the field in the group.
func firstValue(f compiledField, group *goquery.Selection) string {
	for _, n := range matches(f, group) {
		if v := value(f, n); v != "" {
			return v
		}
	}
	return ""
}

// allValues are the non-empty values of every match.
func allValues(f compiledField, group *goquery.Selection) []string {
	var out []string
	for _, n := range matches(f, group) {
		if v := value(f, n); v != "" {
			out = append(out, v)
		}
	}
	return out
}
