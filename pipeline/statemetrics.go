package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/store"
)

// stateCollector exports, at each scrape, the state the pipeline shares in Redis and MySQL:
// consumer group lag and pending entries, poison topic lengths, deliveries by status and
// each source's crawl state. Every process exports the same values (they are not its own
// counts): aggregate them with max, not sum. A backend that does not answer within the
// scrape's time makes groupwatch_state_up{backend} 0 and leaves its series out.
type stateCollector struct {
	cfg    *config.Config
	rdb    redis.UniversalClient
	store  *store.Store
	logger *slog.Logger

	up, lag, pending, oldest, poison, deliveries, sourceState, lastCrawl, interval *prometheus.Desc
}

// stateTimeout bounds one scrape's reads.
const stateTimeout = 5 * time.Second

func newStateCollector(cfg *config.Config, rdb redis.UniversalClient, s *store.Store, logger *slog.Logger) *stateCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("groupwatch_"+name, help, labels, nil)
	}
	return &stateCollector{cfg: cfg, rdb: rdb, store: s, logger: logger,
		up:          d("state_up", "1 when the shared state (redis, mysql) could be read at this scrape.", "backend"),
		lag:         d("consumer_group_lag", "Entries of the topic not yet delivered to the consumer group.", "topic", "group"),
		pending:     d("consumer_group_pending", "Entries delivered to the group and not yet acked.", "topic", "group"),
		oldest:      d("consumer_group_oldest_pending_seconds", "Age of the group's oldest pending entry; 0 with none.", "topic", "group"),
		poison:      d("poison_entries", "Entries in the topic's poison topic.", "topic"),
		deliveries:  d("deliveries", "Deliveries by status (pending, sending, sent, failed, dead).", "status"),
		sourceState: d("source_state", "1 for the source's crawl state (ok, paused, needs_cookies) and last verdict.", "source", "state", "verdict"),
		lastCrawl:   d("source_last_crawl_timestamp_seconds", "When the source was last crawled (Unix time); absent before the first crawl.", "source"),
		interval:    d("source_crawl_interval_seconds", "The source's crawl interval (every, or the gap between its next two cron ticks).", "source"),
	}
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.lag, c.pending, c.oldest, c.poison, c.deliveries, c.sourceState, c.lastCrawl, c.interval} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), stateTimeout)
	defer cancel()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	up := func(backend string, err error) {
		if err != nil {
			c.logger.Warn("metrics cannot read the shared state", "backend", backend, "error", err.Error())
			gauge(c.up, 0, backend)
			return
		}
		gauge(c.up, 1, backend)
	}
	up("redis", c.collectStreams(ctx, gauge))
	up("mysql", c.collectTables(ctx, gauge))
	now := time.Now()
	for _, src := range c.cfg.Sources {
		next, err := crawl.Schedule(src)
		if err != nil {
			continue
		}
		a := next(now)
		gauge(c.interval, next(a).Sub(a).Seconds(), src.Name)
	}
}

func (c *stateCollector) collectStreams(ctx context.Context, gauge func(*prometheus.Desc, float64, ...string)) error {
	for _, topic := range NewPoisonQueue(c.cfg, c.rdb).Topics {
		ts, err := topicStatus(ctx, c.rdb, topic)
		if err != nil {
			return err
		}
		n, err := c.rdb.XLen(ctx, Poison(topic)).Result()
		if err != nil {
			return err
		}
		gauge(c.poison, float64(n), topic)
		for _, g := range ts.Groups {
			gauge(c.lag, float64(g.Lag), topic, g.Group)
			gauge(c.pending, float64(g.Pending), topic, g.Group)
			age := 0.0
			if g.Pending > 0 {
				if p, err := c.rdb.XPending(ctx, topic, g.Group).Result(); err == nil {
					if t := idTime(p.Lower); t != nil {
						age = time.Since(*t).Seconds()
					}
				}
			}
			gauge(c.oldest, age, topic, g.Group)
		}
	}
	return nil
}

func (c *stateCollector) collectTables(ctx context.Context, gauge func(*prometheus.Desc, float64, ...string)) error {
	byStatus, err := c.store.CountDeliveriesByStatus(ctx)
	if err != nil {
		return err
	}
	for _, status := range []string{"pending", "sending", "sent", "failed", "dead"} {
		gauge(c.deliveries, float64(byStatus[status]), status)
	}
	rows, err := c.store.Sources(ctx)
	if err != nil {
		return err
	}
	configured := map[string]bool{}
	for _, s := range c.cfg.Sources {
		configured[s.Name] = true
	}
	for _, r := range rows {
		if !configured[r.Name] {
			continue
		}
		gauge(c.sourceState, 1, r.Name, r.State, r.LastVerdict)
		if r.LastCrawl != nil {
			gauge(c.lastCrawl, float64(r.LastCrawl.Unix()), r.Name)
		}
	}
	return nil
}
