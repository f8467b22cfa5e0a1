package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/handlers"
	"groupwatch/sources"
)

// Crawlers builds a Runner for each configured source: cookies loaded when the source is
// crawled (sourceFetchers), one rate limiter shared by all sources, keyed per source and per
// account, so the sources of one account share its pace.
type Crawlers struct {
	cfg       *config.Config
	state     crawl.State
	publisher message.Publisher
	topics    Topics
	logger    *slog.Logger
	limiter   crawl.Pacer
	fetchers  *sourceFetchers
	parsers   map[string]sources.Parser
	// jobs is the crawl stage's side of the scheduler's bookkeeping in Redis; nil without
	// Redis (dry runs).
	jobs *jobBook
	// browser is the process's Chromium (crawlpages.go), nil when no source fetches with
	// it; started at the first crawl that needs it.
	browser *crawl.Browser
	// OnFinished, when set, is told each crawl this process finished and its verdict.
	OnFinished func(source, verdict string)
}

// NewCrawlers prepares every source; a bad selectors file is an error naming the source,
// before anything starts (cookie files are read when their source is crawled). state and publisher may be nil (dry runs).
// With rdb, request slots are booked in Redis, so that every process crawling with one
// account keeps to its pace together; without, the pace holds within this process.
func NewCrawlers(cfg *config.Config, state crawl.State, publisher message.Publisher, rdb redis.UniversalClient, logger *slog.Logger) (*Crawlers, error) {
	var pacer crawl.Pacer = &crawl.Limiter{Jitter: 0.5, Clock: crawl.RealClock{}}
	if rdb != nil {
		pacer = &crawl.RedisLimiter{Redis: rdb, Prefix: TopicsOf(cfg).Keys(), Jitter: 0.5}
	}
	var jobs *jobBook
	if rdb != nil {
		jobs = &jobBook{inflight: crawl.Inflight{Redis: rdb, Prefix: schedulerPrefix(cfg)}, delayed: crawl.DelayQueue{Redis: rdb, Prefix: schedulerPrefix(cfg)}}
	}
	c := &Crawlers{
		cfg: cfg, state: state, publisher: publisher, topics: TopicsOf(cfg), logger: logger,
		limiter: pacer,
		parsers: map[string]sources.Parser{}, jobs: jobs,
	}
	c.fetchers = newSourceFetchers(cfg, pacer)
	for i, src := range cfg.Sources {
		field := fmt.Sprintf("sources[%d] (%s)", i, src.Name)
		if err := c.prepareBrowser(src); err != nil {
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

func newSourceParser(src config.Source) (sources.Parser, error) {
	return sources.NewParser(sources.Kind(src.Kind), sources.ParserOptions{SelectorsFile: src.Selectors})
}

// Runner returns the runner of the named source.
func (c *Crawlers) Runner(name string, dryRun, force bool) (*crawl.Runner, error) {
	src, ok := c.cfg.SourceByName(name)
	if !ok {
		return nil, fmt.Errorf("no source named %q in the configuration", name)
	}
	f, cookies, err := c.fetchers.get(src)
	if err != nil {
		return nil, err
	}
	pages := c.sourcePages(src, f, cookies)
	r := &crawl.Runner{
		Source: src, Pages: pages, Fetcher: f, Parser: c.parsers[name], State: c.state,
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

// finished counts a finished crawl by its verdict (OnFinished).
func (c *Crawlers) finished(source, verdict string) {
	if c.OnFinished != nil {
		c.OnFinished(source, verdict)
	}
}

// failRun records a run that failed for good, and frees its source.
func (c *Crawlers) failRun(ctx context.Context, job crawl.Job, res crawl.Result, err error) {
	c.jobs.release(ctx, job)
	if c.state == nil {
		return
	}
	res.Verdict, res.Err = "error", err.Error()
	c.finished(job.Source, res.Verdict)
	if ferr := c.state.FinishRun(context.WithoutCancel(ctx), job.ID, res); ferr != nil {
		c.logger.Warn("cannot record a failed crawl run", "job", job.ID, "error", ferr.Error())
	}
}

// crawlStage runs a crawl job. A job for a source no longer configured is poisoned; one held
// by another consumer waits and is retried (by then that run has finished and it is a no-op).
// A job whose next request slot is far off is put off (jobBook) and its consumer freed. A
// finished job frees its source for the next tick.
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
			c.jobs.release(msg.Context(), job)
			return handlers.Permanent(err)
		}
		ctx := c.jobs.paceContext(msg.Context())
		res, err := r.Run(ctx, job)
		var paced *crawl.PacedError
		switch {
		case errors.As(err, &paced):
			return c.jobs.putOff(msg.Context(), job, paced.Wait, loggerFrom(msg.Context(), logger))
		case errors.Is(err, crawl.ErrRunHeldElsewhere):
			return fmt.Errorf("job %s: %w", job.ID, err)
		case errors.Is(err, handlers.ErrPermanent):
			// No retry will do better: the run is closed with the reason and the source
			// freed for its next tick, rather than left unfinished under its lease.
			c.failRun(msg.Context(), job, res, err)
			return fmt.Errorf("crawl %s: %w", job.ID, err)
		case err != nil:
			return fmt.Errorf("crawl %s: %w", job.ID, err)
		}
		c.jobs.release(msg.Context(), job)
		c.finished(job.Source, res.Verdict)
		loggerFrom(msg.Context(), logger).Info("crawled", "job", job.ID, "verdict", res.Verdict,
			"pages", res.Pages, "new", res.New, "seen", res.Seen, "problem", res.Err)
		return nil
	}
}
