package store

import (
	"context"
	"time"

	"groupwatch/queries"
	"groupwatch/simulate"
)

// PostsSince reads stored posts for a simulation (simulate.Posts): up to limit posts first
// seen at or after since with ids above after, in id order.
func (s *Store) PostsSince(ctx context.Context, since time.Time, after int64, limit int) ([]simulate.Post, error) {
	return postReader{s.q}.PostsSince(ctx, since, after, limit)
}

// CountPostsSince counts the posts first seen at or after since.
func (s *Store) CountPostsSince(ctx context.Context, since time.Time) (int, error) {
	return postReader{s.q}.CountPostsSince(ctx, since)
}

type postReader struct{ q *queries.Queries }

func (r postReader) PostsSince(ctx context.Context, since time.Time, after int64, limit int) ([]simulate.Post, error) {
	if after == 0 {
		// The first page starts at the first post of the range: walking ids from 0 would
		// pass every older post (seconds at a million posts, docs/benchmarks.md).
		first, err := r.q.FirstPostIDSince(ctx, since.UTC())
		if err != nil {
			return nil, classify(err)
		}
		if first == 0 {
			return nil, nil
		}
		after = first - 1
	}
	rows, err := r.q.PostsSince(ctx, queries.PostsSinceParams{FirstSeenAt: since.UTC(), ID: after, Limit: int32(limit)})
	if err != nil {
		return nil, classify(err)
	}
	out := make([]simulate.Post, len(rows))
	for i, p := range rows {
		out[i] = simulate.Post{ID: p.ID, Source: p.Source, ExternalID: p.ExternalID, Author: p.Author, URL: p.Url, Text: p.Text, FirstSeenAt: p.FirstSeenAt}
		if p.PostedAt.Valid {
			at := p.PostedAt.Time
			out[i].PostedAt = &at
		}
	}
	return out, nil
}

func (r postReader) CountPostsSince(ctx context.Context, since time.Time) (int, error) {
	n, err := r.q.CountPostsSince(ctx, since.UTC())
	return int(n), classify(err)
}
