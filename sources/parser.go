package sources

import (
	"fmt"
	"time"
)

// Parser reads one fetched page.
type Parser interface {
	// Parse classifies the page and reads its posts and next-page link. It fails only on a
	// body that is not a page at all (ErrNotHTML); a page it does not recognise is
	// VerdictUnexpected.
	Parse(r Response) (Page, error)
}

// Kind names a kind of source page.
type Kind string

// The kinds NewParser knows.
const (
	// KindFacebookGroup: Facebook group and page feeds (FacebookGroup).
	KindFacebookGroup Kind = "facebook_group"
	// KindHTML: any listing page read through a selectors file (HTML).
	KindHTML Kind = "html"
	// KindFeed: RSS, Atom or JSON Feed (Feed).
	KindFeed Kind = "feed"
)

// ParserOptions configure NewParser.
type ParserOptions struct {
	// SelectorsFile is the YAML or JSON file of HTMLSelectors. Required for KindHTML, not
	// taken by KindFacebookGroup, whose selectors are built in.
	SelectorsFile string
	// Location is the time zone pages show times in; default UTC. A selectors file's
	// timezone wins over it.
	Location *time.Location
}

// NewParser returns the parser of a kind.
func NewParser(kind Kind, opts ParserOptions) (Parser, error) {
	switch kind {
	case KindFacebookGroup:
		if opts.SelectorsFile != "" {
			return nil, fmt.Errorf("kind %s takes no selectors file: its selectors are built in", kind)
		}
		return decoding(NewFacebookGroup(FacebookOptions{Location: opts.Location}))
	case KindHTML:
		if opts.SelectorsFile == "" {
			return nil, fmt.Errorf("kind %s needs a selectors file", kind)
		}
		s, err := LoadHTMLSelectors(opts.SelectorsFile)
		if err != nil {
			return nil, err
		}
		return decoding(NewHTML(s, opts.Location))
	case KindFeed:
		if opts.SelectorsFile != "" {
			return nil, fmt.Errorf("kind %s takes no selectors file", kind)
		}
		return feedCharset{Feed{}}, nil
	case "":
		return nil, fmt.Errorf("no kind: want %s, %s or %s", KindFacebookGroup, KindHTML, KindFeed)
	}
	return nil, fmt.Errorf("unknown kind %q: want %s, %s or %s", kind, KindFacebookGroup, KindHTML, KindFeed)
}
