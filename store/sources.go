package store

import (
	"context"
	"time"

	"groupwatch/queries"
)

// SourceRecord is what the sources table knows of a configured source: its crawl state and
// when it last produced. A zero time is "never".
type SourceRecord struct {
	Name        string
	Kind        string
	Account     string
	State       string
	PausedUntil time.Time
	LastCrawl   time.Time
	LastVerdict string
	LastNewPost time.Time
	// Added is when the source was first synced from the configuration.
	Added time.Time
}

// Sources lists every source the table knows, by name.
func (s *Store) Sources(ctx context.Context) ([]SourceRecord, error) { return listSources(ctx, s.q) }

func listSources(ctx context.Context, q *queries.Queries) ([]SourceRecord, error) {
	rows, err := q.ListSources(ctx)
	if err != nil {
		return nil, classify(err)
	}
	out := make([]SourceRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, SourceRecord{Name: r.Name, Kind: r.Kind, Account: r.Account, State: r.State,
			PausedUntil: r.PausedUntil.Time, LastCrawl: r.LastCrawlAt.Time, LastVerdict: r.LastVerdict,
			LastNewPost: r.LastNewPostAt.Time, Added: r.CreatedAt})
	}
	return out, nil
}
