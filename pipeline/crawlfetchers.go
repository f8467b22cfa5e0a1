package pipeline

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"groupwatch/config"
	"groupwatch/crawl"
)

// sourceFetchers makes each source's fetcher when the source is first crawled, and again
// when its cookie file has changed since: a process crawling many sources reads only the
// cookies it uses, when it uses them, and renewed cookies are taken up without a restart.
// (Cookie files are checked up front by `pipeline rules check`.)
type sourceFetchers struct {
	cfg     *config.Config
	limiter crawl.Pacer

	mu     sync.Mutex
	byName map[string]cachedFetcher
}

type cachedFetcher struct {
	fetcher *crawl.Fetcher
	stamp   fileStamp
}

// fileStamp tells a changed file: its size and modification time.
type fileStamp struct {
	size int64
	mod  time.Time
}

func newSourceFetchers(cfg *config.Config, limiter crawl.Pacer) *sourceFetchers {
	return &sourceFetchers{cfg: cfg, limiter: limiter, byName: map[string]cachedFetcher{}}
}

// get returns the source's fetcher, loading its cookies if it has none yet or they changed.
func (s *sourceFetchers) get(src config.Source) (*crawl.Fetcher, error) {
	var stamp fileStamp
	if src.Cookies != "" {
		info, err := os.Stat(src.Cookies)
		if err != nil {
			return nil, fmt.Errorf("source %s: cannot read cookies file: %w", src.Name, err)
		}
		stamp = fileStamp{info.Size(), info.ModTime()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.byName[src.Name]; ok && c.stamp == stamp {
		return c.fetcher, nil
	}
	cookies, err := loadSourceCookies(src)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", src.Name, err)
	}
	f, err := crawl.NewFetcher(cookies)
	if err != nil {
		return nil, err
	}
	f.UserAgent, f.AcceptLanguage = s.cfg.Crawl.UserAgent, s.cfg.Crawl.AcceptLanguage
	f.Limiter, f.Interval = s.limiter, src.MinInterval
	f.Keys = []string{"source:" + src.Name, "account:" + src.AccountName()}
	s.byName[src.Name] = cachedFetcher{f, stamp}
	return f, nil
}

// loadSourceCookies reads a source's cookie file and checks that a live facebook_group
// source has the cookies of a logged-in account.
func loadSourceCookies(src config.Source) ([]*http.Cookie, error) {
	if src.Cookies == "" {
		return nil, nil
	}
	cookies, err := crawl.LoadCookies(src.Cookies)
	if err != nil {
		return nil, err
	}
	if u, _ := url.Parse(src.URL); src.Kind == config.SourceFacebookGroup && u != nil && u.Scheme != "file" {
		if err := crawl.RequireCookies(cookies, "c_user", "xs"); err != nil {
			return nil, fmt.Errorf("cookies file %s: %w", src.Cookies, err)
		}
	}
	return cookies, nil
}

// CheckSourceCookies reads and checks every source's cookie file, as a crawl would, and
// returns one error per bad file, naming the source's field.
func CheckSourceCookies(cfg *config.Config) []error {
	var errs []error
	for i, src := range cfg.Sources {
		if _, err := loadSourceCookies(src); err != nil {
			errs = append(errs, fmt.Errorf("sources[%d].cookies (%s): %w", i, src.Name, err))
		}
	}
	return errs
}
