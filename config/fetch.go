package config

import (
	"net/url"
	"time"
)

// How a source's pages are fetched (Source.Fetch).
const (
	// FetchHTTP: plain HTTP requests with the account's cookies; on a www.facebook.com
	// group, later pages replay the GraphQL query the page declares. The default.
	FetchHTTP = "http"
	// FetchBrowser: headless Chromium with the account's cookies opens the page and
	// scrolls; the page's own script fetches the later pages. facebook_group only.
	FetchBrowser = "browser"
)

// DefaultBrowserTimeLimit bounds one crawl in the browser (crawl.browser_time_limit).
const DefaultBrowserTimeLimit = 5 * time.Minute

func (c *Config) setFetchDefaults() {
	for i := range c.Sources {
		if c.Sources[i].Fetch == "" {
			c.Sources[i].Fetch = FetchHTTP
		}
	}
	if c.Crawl.BrowserTimeLimit == 0 {
		c.Crawl.BrowserTimeLimit = DefaultBrowserTimeLimit
	}
}

// validateFetch checks a source's fetch field and the browser settings it needs.
func (c *Config) validateFetch(field string, s Source, add func(field, format string, args ...any)) {
	switch s.Fetch {
	case FetchHTTP:
	case FetchBrowser:
		if s.Kind != SourceFacebookGroup {
			add(field+".fetch", "browser fetches facebook_group sources only (this one is %s): use http", s.Kind)
		}
		if u, err := url.Parse(s.URL); err == nil && u.Scheme == "file" {
			add(field+".fetch", "a saved page (file://) is read from disk: use http")
		}
	default:
		add(field+".fetch", "unknown fetcher %q (http or browser)", s.Fetch)
	}
}

func (c *Config) validateCrawl(add func(field, format string, args ...any)) {
	if c.Crawl.BrowserTimeLimit < 10*time.Second {
		add("crawl.browser_time_limit", "at least 10s: a page needs time to load and scroll")
	}
}
