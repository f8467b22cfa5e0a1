package sources

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/andybalholm/cascadia"
	"gopkg.in/yaml.v3"
)

// HTMLSelectors say how to read a listing page (a forum's topic list, a thread, a news
// front page) with the html parser. They come from a YAML or JSON file; see
// testdata/selectors/ for Hacker News and metalreview.
type HTMLSelectors struct {
	// BaseURL resolves relative links when the response's URL is unknown. Optional.
	BaseURL string `yaml:"base_url" json:"base_url"`
	// Item matches one item (post, story, comment) anywhere in the page. Required.
	Item string `yaml:"item" json:"item"`
	// ItemSpan is how many sibling elements, from the one Item matches on, make up an item.
	// Default 1. Hacker News shows a story's title in one table row and its author, age and
	// counts in the next: item_span 2. Fields are looked up in these elements in order.
	ItemSpan int `yaml:"item_span" json:"item_span"`
	// The fields of an item. Each is optional; an item without an id takes its URL as id,
	// and an item with neither is skipped. Text joins every match, one per line.
	ID        Field `yaml:"id" json:"id"`
	Author    Field `yaml:"author" json:"author"`
	AuthorURL Field `yaml:"author_url" json:"author_url"`
	Text      Field `yaml:"text" json:"text"`
	URL       Field `yaml:"url" json:"url"`
	Time      Field `yaml:"time" json:"time"`
	Likes     Field `yaml:"likes" json:"likes"`
	Comments  Field `yaml:"comments" json:"comments"`
	Shares    Field `yaml:"shares" json:"shares"`
	Images    Field `yaml:"images" json:"images"`
	// Next matches the link to the next page, anywhere in the page. Optional.
	Next Field `yaml:"next" json:"next"`
	// Timezone (IANA name) of displayed times that do not carry one. Default: the parser's
	// location, UTC unless told otherwise.
	Timezone string `yaml:"timezone" json:"timezone"`
}

// Field says where one value of an item is.
type Field struct {
	// Selector is a CSS selector within the item; empty means the item element itself.
	Selector string `yaml:"selector" json:"selector"`
	// Attr is the attribute holding the value; empty means the element's text, except for
	// url, author_url and next (href) and images (src).
	Attr string `yaml:"attr" json:"attr"`
	// Pattern is a regular expression applied to the value; its first group (or, without
	// groups, the whole match) becomes the value. Optional.
	Pattern string `yaml:"pattern" json:"pattern"`
	// Layout is a Go time layout for the time field ("2006-01-02T15:04:05"); empty reads
	// displayed times as ParseTime does ("6 hours ago", "May 13 at 6:58 AM").
	Layout string `yaml:"layout" json:"layout"`
}

// UnmarshalYAML takes a bare string as the selector, so `author: a.hnuser` is enough.
func (f *Field) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		f.Selector = n.Value
		return nil
	}
	type plain Field
	return n.Decode((*plain)(f))
}

// set tells whether the field was configured at all.
func (f Field) set() bool { return f != Field{} }

// LoadHTMLSelectors reads a YAML (or JSON) selectors file. Unknown keys are errors, so that
// a misspelt field does not silently read nothing.
func LoadHTMLSelectors(path string) (HTMLSelectors, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return HTMLSelectors{}, fmt.Errorf("cannot read selectors file: %w", err)
	}
	var s HTMLSelectors
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return HTMLSelectors{}, fmt.Errorf("invalid selectors file %s: %w", path, err)
	}
	if _, err := compileHTML(s); err != nil {
		return HTMLSelectors{}, fmt.Errorf("invalid selectors file %s:\n%w", path, err)
	}
	return s, nil
}

// compiledField is a Field ready to use.
type compiledField struct {
	Field
	on      bool              // configured at all
	sel     cascadia.Selector // nil: the item itself
	pattern *regexp.Regexp
}

// htmlMatchers are compiled HTMLSelectors.
type htmlMatchers struct {
	item                                          cascadia.Selector
	span                                          int
	id, author, authorURL, text, url, time, likes compiledField
	comments, shares, images, next                compiledField
	loc                                           *time.Location
}

// compileHTML checks every selector, pattern and the time zone, and names each field that
// is wrong.
func compileHTML(s HTMLSelectors) (htmlMatchers, error) {
	var errs []error
	m := htmlMatchers{span: s.ItemSpan}
	var err error
	if m.item, err = compileSelector("item", s.Item); err != nil {
		errs = append(errs, err)
	}
	switch {
	case s.ItemSpan == 0:
		m.span = 1
	case s.ItemSpan < 0 || s.ItemSpan > 20:
		errs = append(errs, fmt.Errorf("item_span: %d is not between 1 and 20", s.ItemSpan))
	}
	field := func(name string, f Field, defaultAttr string) compiledField {
		c := compiledField{Field: f, on: f.set()}
		if c.Attr == "" {
			c.Attr = defaultAttr
		}
		if f.Selector != "" {
			if c.sel, err = compileSelector(name+".selector", f.Selector); err != nil {
				errs = append(errs, err)
			}
		}
		if f.Pattern != "" {
			if c.pattern, err = regexp.Compile(f.Pattern); err != nil {
				errs = append(errs, fmt.Errorf("%s.pattern: %w", name, err))
			}
		}
		if f.Layout != "" && name != "time" {
			errs = append(errs, fmt.Errorf("%s.layout: only time takes a layout", name))
		}
		return c
	}
	m.id = field("id", s.ID, "")
	m.author = field("author", s.Author, "")
	m.authorURL = field("author_url", s.AuthorURL, "href")
	m.text = field("text", s.Text, "")
	m.url = field("url", s.URL, "href")
	m.time = field("time", s.Time, "")
	m.likes = field("likes", s.Likes, "")
	m.comments = field("comments", s.Comments, "")
	m.shares = field("shares", s.Shares, "")
	m.images = field("images", s.Images, "src")
	m.next = field("next", s.Next, "href")
	if s.Next.set() && s.Next.Selector == "" {
		errs = append(errs, errors.New("next.selector: no selector (the next link is looked for in the whole page)"))
	}
	if s.Timezone != "" {
		if m.loc, err = time.LoadLocation(s.Timezone); err != nil {
			errs = append(errs, fmt.Errorf("timezone: %w", err))
		}
	}
	if s.BaseURL != "" && parseBase(s.BaseURL) == nil {
		errs = append(errs, fmt.Errorf("base_url: %q is not an absolute http(s) URL", s.BaseURL))
	}
	return m, errors.Join(errs...)
}
