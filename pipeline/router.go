package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/components/metrics"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/streams"
)

// Subscription is one consumer group on one topic: what --drain waits on.
type Subscription struct {
	Stage string // also the consumer group's name
	Topic string
}

// RouterDeps is what the router is built from.
type RouterDeps struct {
	Config    *config.Config
	Logger    *slog.Logger
	Redis     redis.UniversalClient
	Publisher message.Publisher
	Metrics   *Metrics
	Instance  string // consumer names are instance.stage.index

	// Crawlers runs the crawl stage; nil when no source is configured.
	Crawlers *Crawlers
	// Runs says whether this process runs a stage (--handlers); nil: every stage.
	Runs func(stage string) bool

	Normalize handlers.Normalize
	Match     handlers.Match
	Evaluate  handlers.Evaluate
	// Health turns sources.health events into alerts; its stage runs when it has sinks.
	Health handlers.Health
	// NotifySinks groups the configured sinks by kind; each kind is its own notify stage
	// and consumer group (notify.file, notify.console), so a slow kind delays no other.
	NotifySinks map[string]map[string]handlers.Sink
	Store       handlers.DeliveryStore
	// Now is the clock of delivery retries (when the next attempt is due). Default time.Now.
	Now func() time.Time
}

// Router is the watermill router running every stage, and what it subscribes to.
type Router struct {
	*message.Router
	Subscriptions []Subscription
	// Notifiers are the notify stages, whose due deliveries the retrier sends.
	Notifiers []handlers.Notify
	inflight  *inflight
}

// Stop admits no more messages, closes the router and waits, until ctx ends, for every
// message in hand to finish.
func (r *Router) Stop(ctx context.Context) error {
	r.inflight.stop()
	closeErr := r.Close()
	if err := r.inflight.wait(ctx); err != nil {
		return fmt.Errorf("messages still in hand at shutdown: %w", err)
	}
	return closeErr
}

// stage is one handler on one topic, run by some number of concurrent consumers.
type stage struct {
	name      string
	topic     string
	consumers int
	handle    message.NoPublishHandlerFunc
	// long marks a stage whose attempts run for minutes (a crawl, paced by its rate limit):
	// a long deadline, and shutdown interrupts it (the job resumes from its cursor) instead
	// of waiting for it.
	long bool
	// poisonsForeign: this stage is the first to read its topic, and the one that sends a
	// foreign entry there to the poison topic (see rejectForeign).
	poisonsForeign bool
	// batched: each consumer reads pipeline.batch_size entries at a time and handles them
	// concurrently (normalize, match: every post passes them). The other stages handle one
	// message per consumer at a time, so their consumer count stays their concurrency
	// (crawls, sinks' rate limits).
	batched bool
	// partition names the partition ("p3.") in consumer and handler names; "" with one.
	partition string
}

// crawlTimeout bounds one crawl attempt.
const crawlTimeout = 30 * time.Minute

// NewRouter builds the router: per stage, K consumers sharing the stage's consumer group,
// each behind the same middleware.
func NewRouter(d RouterDeps) (*Router, error) {
	corr := &correlations{}
	wlog := newWatermillLogger(d.Logger, corr)
	pub := d.Publisher
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: d.Config.Pipeline.CloseTimeout}, wlog)
	if err != nil {
		return nil, fmt.Errorf("cannot create router: %w", err)
	}
	// watermill's router metrics but its subscriber decorator, which puts every message
	// through one more goroutine and channel and starts a goroutine per message to wait for
	// its ack: Metrics.countReceived keeps its counter (issue 12).
	prom := metrics.NewPrometheusMetricsBuilder(d.Metrics.Registry, "groupwatch", "watermill")
	router.AddPublisherDecorators(prom.DecoratePublisher)
	router.AddMiddleware(prom.NewRouterMiddleware().Middleware)

	topics := TopicsOf(d.Config)
	consumers := d.Config.Pipeline.Consumers
	var stages []stage
	if d.Crawlers != nil {
		stages = append(stages, stage{name: config.StageCrawl, topic: topics.CrawlJobs(), consumers: consumers[config.StageCrawl],
			handle: crawlStage(d.Crawlers, d.Logger), long: true})
	}
	stages = append(stages,
		stage{name: config.StageNormalize, topic: topics.Raw(), consumers: consumers[config.StageNormalize], handle: normalizeStage(d.Normalize, pub, topics.Normalized()), batched: true},
		stage{name: config.StageMatch, topic: topics.Normalized(), consumers: consumers[config.StageMatch], handle: matchStage(d.Match, pub, topics.Matched()), batched: true},
		stage{name: config.StageEvaluate, topic: topics.Matched(), consumers: consumers[config.StageEvaluate], handle: evaluateStage(d.Evaluate, pub, topics.Alerts())},
	)
	if len(d.Health.Sinks) > 0 {
		stages = append(stages, stage{name: config.StageHealth, topic: topics.SourcesHealth(), consumers: consumers[config.StageHealth],
			handle: healthStage(d.Health, pub, topics.Alerts())})
	}
	kinds := make([]string, 0, len(d.NotifySinks))
	for kind := range d.NotifySinks {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	var notifiers []handlers.Notify
	for _, kind := range kinds {
		h := handlers.Notify{Sinks: d.NotifySinks[kind], Store: d.Store, RetryBase: d.Config.Pipeline.DeliveryRetryBase, Now: d.Now}
		notifiers = append(notifiers, h)
		stages = append(stages, stage{name: config.StageNotify + "." + kind, topic: topics.Alerts(), consumers: consumers[config.StageNotify], handle: notifyStage(h)})
	}

	readers := map[string]bool{}
	for i := range stages {
		stages[i].poisonsForeign = !readers[stages[i].topic]
		readers[stages[i].topic] = true
	}

	r := &Router{Router: router, inflight: &inflight{}}
	if d.Runs == nil || d.Runs(config.StageNotify) {
		r.Notifiers = notifiers
	}
	for _, logical := range stages {
		if d.Runs != nil && !d.Runs(strings.SplitN(logical.name, ".", 2)[0]) {
			continue
		}
		for _, s := range partitionsOf(logical, topics) {
			r.Subscriptions = append(r.Subscriptions, Subscription{Stage: s.name, Topic: s.topic})
			// Before the stage's own middleware: the received count sees every outcome as the
			// router acts on it; the stack is grown while it is shallowest; inflight counts
			// the message before anything else can hold it.
			mw := append([]message.HandlerMiddleware{d.Metrics.countReceived, presizeStack, r.inflight.middleware}, stageMiddleware(s, pub, d, corr)...)
			for i := 0; i < s.consumers; i++ {
				consumer := fmt.Sprintf("%s.%s.%s%d", d.Instance, s.name, s.partition, i)
				sub, err := streams.NewSubscriber(streams.SubscriberConfig{
					Client:        d.Redis,
					Unmarshaller:  tolerantUnmarshaller{},
					Consumer:      consumer,
					ConsumerGroup: s.name,
					BatchSize:     batchSize(s, d.Config),
					MaxInFlight:   maxInFlight(s, d.Config),
					// A nack reaching the subscriber (shutdown, a failed poison publish) waits
					// at least a second before the message is handed out again.
					NackDelay:     time.Second,
					BlockTime:     time.Second,
					ClaimIdle:     claimIdle(s, d.Config),
					ShouldClaim:   poisonOverDelivered(d.Redis, s.topic, s.name, consumer, claimIdle(s, d.Config), d.Config.Pipeline.MaxDeliveries, d.Logger),
					ClaimInterval: min(5*time.Second, d.Config.Pipeline.ClaimIdle),
					CloseTimeout:  d.Config.Pipeline.CloseTimeout,
				}, wlog)
				if err != nil {
					return nil, fmt.Errorf("cannot create subscriber for %s: %w", s.name, err)
				}
				h := router.AddConsumerHandler(fmt.Sprintf("%s.%s%d", s.name, s.partition, i), s.topic, sub, s.handle)
				h.AddMiddleware(mw...)
			}
		}
	}
	return r, nil
}

// batchSize is how many entries one consumer of the stage reads at a time, and
// maxInFlight how many it has in hand at once.
func batchSize(s stage, cfg *config.Config) int {
	if s.batched {
		return cfg.Pipeline.BatchSize
	}
	return 1
}

func maxInFlight(s stage, cfg *config.Config) int {
	if s.batched {
		return 2 * cfg.Pipeline.BatchSize
	}
	return 1
}

// partitionsOf is the stage once per partition of its topic: the same consumer group on
// every partition's stream, its consumers spread over them (at least one each). With one
// partition it is the stage as it is, consumers named as before partitions existed.
func partitionsOf(s stage, topics Topics) []stage {
	n := topics.Partitions()
	if n == 1 {
		return []stage{s}
	}
	out := make([]stage, n)
	for p := range out {
		out[p] = s
		out[p].topic = topics.Stream(s.topic, p)
		out[p].partition = fmt.Sprintf("p%d.", p)
		out[p].consumers = max(1, (s.consumers+n-1)/n)
	}
	return out
}

// claimIdle is how long an entry may sit with a silent consumer before another claims it. A
// crawl renews its run's lease as it goes, so a claimed job whose crawl is still alive waits
// (ErrRunHeldElsewhere) rather than crawls twice.
func claimIdle(s stage, cfg *config.Config) time.Duration {
	if s.long {
		return max(cfg.Pipeline.ClaimIdle, crawlTimeout)
	}
	return cfg.Pipeline.ClaimIdle
}

func attemptFor(s stage, cfg *config.Config) message.HandlerMiddleware {
	if s.long {
		return boundedAttempt(crawlTimeout)
	}
	return attempt(cfg.Pipeline.MessageTimeout)
}

// stageMiddleware is the one place the middleware order is written. Outermost first:
//   - correlate: a logger carrying the correlation id, for every line below;
//   - poison: a permanent failure goes to <topic>.poison with its reason and is acked, so
//     one bad message never blocks a stream; it must see every permanent error, so it
//     wraps everything else;
//   - observe: metrics, inside poison so it can count what gets poisoned;
//   - rejectForeign: an entry watermill did not write is permanent before any retry (for
//     the first group reading the topic; the others acknowledge it);
//   - retry: transient errors wait with backoff for as long as it takes;
//   - attempt: each attempt gets its own deadline and is not cut short by shutdown, so
//     work in flight finishes (stored and recorded) rather than half done;
//   - recoverer: a panic becomes a permanent error, innermost so it catches the handler's.
func stageMiddleware(s stage, pub message.Publisher, d RouterDeps, corr *correlations) []message.HandlerMiddleware {
	return []message.HandlerMiddleware{
		correlate(d.Logger, s.name, corr),
		poison(pub, s.topic, Poison(s.topic), d.Logger),
		d.Metrics.observe(s.name),
		rejectForeign(s.poisonsForeign, d.Logger),
		retry{
			initial:   100 * time.Millisecond,
			max:       d.Config.Pipeline.RetryMaxInterval,
			logger:    d.Logger,
			onFailure: d.Metrics.failedAttempt(s.name),
			owner:     &entryOwnership{rdb: d.Redis, topic: s.topic, group: s.name, instance: d.Instance},
		}.middleware,
		attemptFor(s, d.Config),
		panicsArePermanent,
	}
}
