package pipeline

import (
	"errors"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/store"
)

// Metrics are the per-stage counters and the end-to-end latency, beside watermill's router
// metrics in the same registry.
type Metrics struct {
	Registry  *prometheus.Registry
	processed *prometheus.CounterVec
	failed    *prometheus.CounterVec
	poisoned  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	received  *prometheus.CounterVec
	// CrawlTicksSkipped counts scheduled ticks not published, by source and reason
	// (in_flight, missed); CrawlJobsPutOff counts crawl jobs put off for their pace.
	CrawlTicksSkipped *prometheus.CounterVec
	CrawlJobsPutOff   *prometheus.CounterVec
	// CrawlRuns counts finished crawls by source and verdict (ok, login_wall, blocked, …,
	// error).
	CrawlRuns *prometheus.CounterVec
	// PurgedRows counts rows the retention purge deleted, by table.
	PurgedRows *prometheus.CounterVec
}

// NewMetrics registers groupwatch's metrics in a new registry.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "groupwatch", Name: "stage_processed_total",
			Help: "Messages a stage finished (acked after its work was stored and passed on).",
		}, []string{"stage"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "groupwatch", Name: "stage_failed_attempts_total",
			Help: "Attempts that failed with a transient error and were retried.",
		}, []string{"stage"}),
		poisoned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "groupwatch", Name: "stage_poisoned_total",
			Help: "Messages sent to the stage's poison topic.",
		}, []string{"stage"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "groupwatch", Name: "end_to_end_latency_seconds",
			Help:    "Time from a post's arrival on posts.raw to the end of each stage's work on it.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 18), // 1 ms … ~2 min
		}, []string{"stage"}),
	}
	// watermill's subscriber decorator counts this with a goroutine per message, waiting for
	// its ack; countReceived counts the same from what the handler returns (issue 12).
	m.received = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "groupwatch", Subsystem: "watermill", Name: "subscriber_messages_received_total",
		Help: "The total number of messages received by the subscriber",
	}, []string{"handler_name", "subscriber_name", "acked"})
	m.CrawlTicksSkipped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "groupwatch", Name: "crawl_ticks_skipped_total",
		Help: "Scheduled crawl ticks not published: the source's previous job was still queued or running (in_flight), or a newer tick was due at once (missed).",
	}, []string{"source", "reason"})
	m.CrawlJobsPutOff = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "groupwatch", Name: "crawl_jobs_put_off_total",
		Help: "Crawl jobs put off until their source's or account's next request slot, freeing their consumer.",
	}, []string{"source"})
	m.PurgedRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "groupwatch", Name: "purged_rows_total",
		Help: "Rows the retention purge deleted, by table.",
	}, []string{"table"})
	m.CrawlRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "groupwatch", Name: "crawl_runs_total",
		Help: "Crawls finished by this process, by source and verdict of the run (error: failed for good).",
	}, []string{"source", "verdict"})
	reg.MustRegister(m.processed, m.failed, m.poisoned, m.latency, m.received, m.CrawlTicksSkipped, m.CrawlJobsPutOff, m.CrawlRuns, m.PurgedRows)
	return m
}

// WatchState exports the shared state (lag, pending, poison, deliveries, sources) at each
// scrape; see stateCollector.
func (m *Metrics) WatchState(cfg *config.Config, rdb redis.UniversalClient, s *store.Store, logger *slog.Logger) {
	m.Registry.MustRegister(newStateCollector(cfg, rdb, s, logger))
}

// observe counts a stage's outcomes and observes the latency since the post arrived.
func (m *Metrics) observe(stage string) message.HandlerMiddleware {
	processed := m.processed.WithLabelValues(stage)
	poisoned := m.poisoned.WithLabelValues(stage)
	latency := m.latency.WithLabelValues(stage)
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			switch {
			case err == nil:
				processed.Inc()
				if t, perr := time.Parse(time.RFC3339Nano, msg.Metadata.Get(MetaReceivedAt)); perr == nil {
					latency.Observe(time.Since(t).Seconds())
				}
			case errors.Is(err, handlers.ErrPermanent):
				poisoned.Inc()
			}
			return out, err
		}
	}
}

// countReceived counts each message a handler got, as acked or nacked: the router nacks the
// message when the handler returns an error and acks it otherwise.
func (m *Metrics) countReceived(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		acked := "acked"
		if err != nil {
			acked = "nacked"
		}
		ctx := msg.Context()
		m.received.WithLabelValues(message.HandlerNameFromCtx(ctx), message.SubscriberNameFromCtx(ctx), acked).Inc()
		return out, err
	}
}

// failedAttempt returns the counter retry calls on each transient failure of stage.
func (m *Metrics) failedAttempt(stage string) func() {
	c := m.failed.WithLabelValues(stage)
	return c.Inc
}
