package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/handlers"
	"groupwatch/sources"
)

// Crawlers builds a Runner for each configured source: cookies loaded and checked once at
// start, one rate limiter shared by all sources, keyed per source and per account, so the
// sources of one account share its pace.
type Crawlers struct {
	cfg       *config.Config
	state     crawl.State
	publisher message.Publisher
	topics    Topics
	logger    *slog.Logger
	limiter   crawl.Pacer
	fetchers  map[string]*crawl.Fetcher
	parsers   map[string]sources.Parser
	// pages fetch each source's pages (crawlpages.go); browser is the process's Chromium,
	// nil until a source fetches with it.
	pages   map[string]crawl.Pages
	browser *crawl.Browser
}

// NewCrawlers prepares every source; a missing cookie or a bad selectors file is an error
// naming the source, before anything starts. state and publisher may be nil (dry runs).
// With rdb, request slots are booked in Redis, so that every process crawling with one
// account keeps to its pace together; without, the pace holds within this process.
func NewCrawlers(cfg *config.Config, state crawl.State, publisher message.Publisher, rdb *redis.Client, logger *slog.Logger) (*Crawlers, error) {
	var pacer crawl.Pacer = &crawl.Limiter{Jitter: 0.5, Clock: crawl.RealClock{}}
	if rdb != nil {
		prefix := ""
		if cfg.Topics.Prefix != "" {
			prefix = cfg.Topics.Prefix + "."
		}
		pacer = &crawl.RedisLimiter{Redis: rdb, Prefix: prefix, Jitter: 0.5}
	}
	c := &Crawlers{
		cfg: cfg, state: state, publisher: publisher, topics: NewTopics(cfg.Topics.Prefix), logger: logger,
		limiter:  pacer,
		fetchers: map[string]*crawl.Fetcher{}, parsers: map[string]sources.Parser{}, pages: map[string]crawl.Pages{},
	}
	for i, src := range cfg.Sources {
		field := fmt.Sprintf("sources[%d] (%s)", i, src.Name)
		cookies, err := loadSourceCookies(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		f, err := crawl.NewFetcher(cookies)
		if err != nil {
			return nil, err
		}
		f.UserAgent, f.AcceptLanguage = cfg.Crawl.UserAgent, cfg.Crawl.AcceptLanguage
		f.Limiter, f.Interval = c.limiter, src.MinInterval
		f.Keys = []string{"source:" + src.Name, "account:" + src.AccountName()}
		c.fetchers[src.Name] = f
		if c.pages[src.Name], err = c.sourcePages(src, f, cookies); err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		p, err := newSourceParser(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		c.parsers[src.Name] = p
	}
	return c, nil
}

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
			return nil, err
		}
	}
	return cookies, nil
}

func newSourceParser(src config.Source) (sources.Parser, error) {
	return sources.NewParser(sources.Kind(src.Kind), sources.ParserOptions{SelectorsFile: src.Selectors})
}

// Runner returns the runner of the named source.
func (c *Crawlers) Runner(name string, dryRun, force bool) (*crawl.Runner, error) {
	src, ok := c.cfg.SourceByName(name)
	if !ok {
		return nil, fmt.Errorf("no source named %q in the configuration", name)
	}
	r := &crawl.Runner{
		Source: src, Pages: c.pages[name], Fetcher: c.fetchers[name], Parser: c.parsers[name], State: c.state,
		DryRun: dryRun, Force: force,
	}
	if c.publisher != nil {
		r.Publish = c.publishPosts
		r.Health = c.publishHealth
	}
	return r, nil
}

func (c *Crawlers) publishPosts(_ context.Context, posts []handlers.RawPost) error {
	msgs := make([]*message.Message, 0, len(posts))
	for _, p := range posts {
		m, err := NewRawPostMessage(p)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	return c.publisher.Publish(c.topics.Raw(), msgs...)
}

func (c *Crawlers) publishHealth(_ context.Context, e crawl.HealthEvent) error {
	c.logger.Warn("source health", "source", e.Source, "account", e.Account, "verdict", e.Verdict, "state", e.State, "detail", e.Detail)
	m, err := newMessage(e, nil)
	if err != nil {
		return err
	}
	m.Metadata.Set(MetaCorrelationID, "source/"+e.Source)
	return c.publisher.Publish(c.topics.SourcesHealth(), m)
}

// crawlStage runs a crawl job. A job for a source no longer configured is poisoned; one held
// by another consumer waits and is retried (by then that run has finished and it is a no-op).
func crawlStage(c *Crawlers, logger *slog.Logger) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		var job crawl.Job
		if err := decode(msg, &job); err != nil {
			return err
		}
		if job.V != handlers.Version {
			return handlers.Permanent(fmt.Errorf("unknown payload version %d (want %d)", job.V, handlers.Version))
		}
		r, err := c.Runner(job.Source, false, false)
		if err != nil {
			return handlers.Permanent(err)
		}
		res, err := r.Run(msg.Context(), job)
		if errors.Is(err, crawl.ErrRunHeldElsewhere) {
			return fmt.Errorf("job %s: %w", job.ID, err)
		}
		if err != nil {
			return fmt.Errorf("crawl %s: %w", job.ID, err)
		}
		loggerFrom(msg.Context(), logger).Info("crawled", "job", job.ID, "verdict", res.Verdict,
			"pages", res.Pages, "new", res.New, "seen", res.Seen, "problem", res.Err)
		return nil
	}
}
