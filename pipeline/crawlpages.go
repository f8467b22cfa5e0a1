package pipeline

import (
	"net/http"
	"net/url"
	"strings"

	"groupwatch/config"
	"groupwatch/crawl"
)

// prepareBrowser finds and checks the process's one Chromium for a source that fetches
// with it, at start, so that a missing browser is an error before anything runs; the
// browser itself starts at the first crawl that needs it.
func (c *Crawlers) prepareBrowser(src config.Source) error {
	if src.Fetch != config.FetchBrowser || c.browser != nil {
		return nil
	}
	path, err := crawl.FindChromium(c.cfg.Crawl.BrowserPath)
	if err != nil {
		return err
	}
	c.browser = &crawl.Browser{Path: path, ProfileDir: c.cfg.Crawl.BrowserProfiles,
		UserAgent: or(c.cfg.Crawl.UserAgent, crawl.DesktopUserAgent), Logger: c.logger}
	return nil
}

// sourcePages is how a source's pages are fetched: plain HTTP through its Fetcher, or the
// process's one Chromium with the source's cookies.
func (c *Crawlers) sourcePages(src config.Source, f *crawl.Fetcher, cookies []*http.Cookie) crawl.Pages {
	if src.Fetch != config.FetchBrowser {
		return &crawl.HTTPPages{Fetcher: f}
	}
	return &crawl.BrowserPages{
		Browser: c.browser, Cookies: cookies, TimeLimit: c.cfg.Crawl.BrowserTimeLimit,
		Limiter: c.limiter, Interval: src.MinInterval, Keys: f.Keys,
	}
}

// wwwFacebook says a URL is on today's desktop site.
func wwwFacebook(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == "www.facebook.com" || host == "facebook.com" || host == "web.facebook.com"
}

// Close kills the browser, if one was started. A crawl in flight ends with an error and is
// resumed by the next process from its stored cursor.
func (c *Crawlers) Close() error {
	if c == nil || c.browser == nil {
		return nil
	}
	return c.browser.Close()
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
