package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/queries"
	"groupwatch/store"
)

// quietWatch raises a health event for a source that has produced no new post for
// health.quiet_after. It runs on the scheduler's leader only, at most once a minute, and
// speaks of a quiet source at most once an hour (the health stage alerts once an hour too).
type quietWatch struct {
	cfg    *config.Config
	store  *store.Store
	pub    message.Publisher
	topic  string
	logger *slog.Logger

	lastLook time.Time
	told     map[string]time.Time
}

func newQuietWatch(cfg *config.Config, s *store.Store, pub message.Publisher, logger *slog.Logger) *quietWatch {
	return &quietWatch{cfg: cfg, store: s, pub: pub, topic: NewTopics(cfg.Topics.Prefix).SourcesHealth(),
		logger: logger.With("component", "quiet-watch"), told: map[string]time.Time{}}
}

func (w *quietWatch) step(ctx context.Context) {
	after := w.cfg.Health.QuietAfter
	now := time.Now()
	if after <= 0 || now.Sub(w.lastLook) < time.Minute {
		return
	}
	w.lastLook = now
	rows, err := w.store.Queries().ListSources(ctx)
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
		m, err := newMessage(ev, nil)
		if err != nil {
			continue
		}
		m.Metadata.Set(MetaCorrelationID, "source/"+r.Name)
		if err := w.pub.Publish(w.topic, m); err != nil {
			w.logger.Warn("cannot publish quiet event", "source", r.Name, "error", err.Error())
			continue
		}
		w.told[r.Name] = now
	}
}

// quietSince is when a source last produced: its newest post, else when it was added.
func quietSince(r queries.Source) time.Time {
	if r.LastNewPostAt.Valid {
		return r.LastNewPostAt.Time
	}
	return r.CreatedAt
}
