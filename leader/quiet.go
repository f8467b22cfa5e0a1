package leader

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/store"
)

// SourceLister lists the sources the store knows, with when each last produced.
type SourceLister interface {
	Sources(ctx context.Context) ([]store.SourceRow, error)
}

// QuietWatch raises a health event for a source that has produced no new post for
// health.quiet_after. It runs on the leader only, at most once a minute, and
// speaks of a quiet source at most once an hour (the health stage alerts once an hour too).
type QuietWatch struct {
	cfg     *config.Config
	store   SourceLister
	publish Publish
	topic   string
	logger  *slog.Logger
	now     func() time.Time

	lastLook time.Time
	told     map[string]time.Time
}

// NewQuietWatch publishes its events to topic (sources.health).
func NewQuietWatch(cfg *config.Config, s SourceLister, publish Publish, topic string, logger *slog.Logger) *QuietWatch {
	return &QuietWatch{cfg: cfg, store: s, publish: publish, topic: topic,
		logger: logger.With("component", "quiet-watch"), now: time.Now, told: map[string]time.Time{}}
}

// Step looks at the sources if a minute has passed since its last look.
func (w *QuietWatch) Step(ctx context.Context) {
	after := w.cfg.Health.QuietAfter
	now := w.now()
	if after <= 0 || now.Sub(w.lastLook) < time.Minute {
		return
	}
	w.lastLook = now
	rows, err := w.store.Sources(ctx)
	if err != nil {
		w.logger.Warn("cannot list sources", "error", err.Error())
		return
	}
	for _, r := range rows {
		if _, configured := w.cfg.SourceByName(r.Name); !configured || now.Sub(w.told[r.Name]) < time.Hour {
			continue
		}
		since := quietSince(r)
		if now.Sub(since) < after {
			continue
		}
		ev := handlers.HealthEvent{V: handlers.Version, Source: r.Name, Account: r.Account, Verdict: "quiet", State: r.State, At: now.UTC(),
			Detail: fmt.Sprintf("no new post since %s (quiet_after %s)", since.UTC().Format(time.RFC3339), after)}
		if err := w.publish(w.topic, ev, "source/"+r.Name, time.Time{}); err != nil {
			w.logger.Warn("cannot publish quiet event", "source", r.Name, "error", err.Error())
			continue
		}
		w.told[r.Name] = now
	}
}

// quietSince is when a source last produced: its newest post, else when it was added.
func quietSince(r store.SourceRow) time.Time {
	if r.LastNewPost != nil {
		return *r.LastNewPost
	}
	return r.Added
}
