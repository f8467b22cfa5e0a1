package config

import (
	"fmt"
	"net/url"
	"time"

	"github.com/robfig/cron/v3"
)

// Source kinds.
const (
	SourceFacebookGroup = "facebook_group"
	SourceHTML          = "html"
	SourceFeed          = "feed"
)

// Source is one crawled source.
type Source struct {
	// Name is unique and stable: crawl state and posts are kept under it.
	Name string `yaml:"name"`
	// Kind: facebook_group (m.facebook.com group or page feed), html (CSS selectors) or
	// feed (RSS or Atom).
	Kind string `yaml:"kind"`
	// URL of the first page: http(s), or file:// for a saved page.
	URL string `yaml:"url"`
	// Every is the interval between crawls (e.g. 15m); or use Cron.
	Every time.Duration `yaml:"every"`
	// Cron is a five-field cron schedule (e.g. "*/15 7-23 * * *"), in UTC.
	Cron string `yaml:"cron"`
	// Account names the cookie account the source crawls with: sources of one account share
	// its rate limit and its cool-down. Default: the source's own name.
	Account string `yaml:"account"`
	// Cookies is a Netscape cookies.txt or JSON cookie export; facebook_group needs c_user
	// and xs in it (except on file:// URLs).
	Cookies string `yaml:"cookies"`
	// Selectors is the selectors file of an html source.
	Selectors string `yaml:"selectors"`
	// StopAfterSeen ends a crawl after this many consecutive posts already stored (a pinned
	// post does not count). Default 5.
	StopAfterSeen int `yaml:"stop_after_seen"`
	// MaxPages caps the pages of one crawl. Default 5.
	MaxPages int `yaml:"max_pages"`
	// MinInterval is the least time between two requests of this source, and of its
	// account; each wait gets up to 50% random jitter. Default 20s.
	MinInterval time.Duration `yaml:"min_interval"`
	// Cooldown pauses the source, and every source of its account, after a block or a
	// checkpoint. Default 6h.
	Cooldown time.Duration `yaml:"cooldown"`
}

// Crawl holds settings shared by all sources.
type Crawl struct {
	// UserAgent sent with every request. Default: a current mobile Chrome.
	UserAgent string `yaml:"user_agent"`
	// AcceptLanguage sent with every request. Default en-GB,en;q=0.9 (dates in the pages
	// are then in the forms the parsers read).
	AcceptLanguage string `yaml:"accept_language"`
}

// AccountName is the account whose rate limit and cool-down the source shares.
func (s Source) AccountName() string {
	if s.Account != "" {
		return s.Account
	}
	return s.Name
}

func (c *Config) setSourceDefaults() {
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.StopAfterSeen == 0 {
			s.StopAfterSeen = 5
		}
		if s.MaxPages == 0 {
			s.MaxPages = 5
		}
		if s.MinInterval == 0 {
			s.MinInterval = 20 * time.Second
		}
		if s.Cooldown == 0 {
			s.Cooldown = 6 * time.Hour
		}
	}
}

// SourceByName returns the source called name.
func (c *Config) SourceByName(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

// CronParser reads the five-field schedules of sources.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// MinCrawlInterval is the least time between two scheduled crawls of a source, whether set
// by every: or by cron: ("@every 1s"): crawling faster gets accounts blocked.
const MinCrawlInterval = time.Minute

// CronEvery is the interval of an "@every D" cron schedule; 0 for any other schedule.
func CronEvery(spec string) time.Duration {
	sched, err := CronParser.Parse(spec)
	if err != nil {
		return 0
	}
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok {
		return cd.Delay
	}
	return 0
}

func (c *Config) validateSources(add func(field, format string, args ...any)) {
	names := map[string]bool{}
	for i, s := range c.Sources {
		field := fmt.Sprintf("sources[%d]", i)
		checkName(field+".name", s.Name, add)
		if names[s.Name] {
			add(field+".name", "duplicate source name %q", s.Name)
		}
		names[s.Name] = true
		switch s.Kind {
		case SourceFacebookGroup, SourceHTML, SourceFeed:
		case "":
			add(field+".kind", "missing (facebook_group, html or feed)")
		default:
			add(field+".kind", "unknown source kind %q (facebook_group, html or feed)", s.Kind)
		}
		u, err := url.Parse(s.URL)
		switch {
		case s.URL == "":
			add(field+".url", "missing")
		case err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file"):
			add(field+".url", "must be an http, https or file URL")
		case s.Kind == SourceFacebookGroup && u.Scheme != "file" && s.Cookies == "":
			add(field+".cookies", "a facebook_group source needs a cookies file (with c_user and xs)")
		}
		switch {
		case s.Every == 0 && s.Cron == "":
			add(field+".every", "set every (e.g. 15m) or cron")
		case s.Every != 0 && s.Cron != "":
			add(field+".cron", "set every or cron, not both")
		case s.Every < 0:
			add(field+".every", "must be positive")
		case s.Every > 0 && s.Every < MinCrawlInterval:
			add(field+".every", "at least 1m: crawling faster gets accounts blocked")
		case s.Cron != "":
			if _, err := CronParser.Parse(s.Cron); err != nil {
				add(field+".cron", "%v", err)
			} else if d := CronEvery(s.Cron); d > 0 && d < MinCrawlInterval {
				add(field+".cron", "%q is every %s: at least 1m, crawling faster gets accounts blocked", s.Cron, d)
			}
		}
		if s.Kind == SourceHTML && s.Selectors == "" {
			add(field+".selectors", "an html source needs a selectors file")
		}
		if s.StopAfterSeen < 1 || s.MaxPages < 1 {
			add(field, "stop_after_seen and max_pages must be at least 1")
		}
		if s.MinInterval < time.Second {
			add(field+".min_interval", "at least 1s")
		}
	}
}
