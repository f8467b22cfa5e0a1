package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/queries"
)

// SyncSources makes the sources table know every configured source, by name, keeping the
// crawl state of those it knew.
func (s *Store) SyncSources(ctx context.Context, srcs []config.Source) error {
	now := s.now().UTC()
	for _, src := range srcs {
		if err := s.q.UpsertSource(ctx, queries.UpsertSourceParams{
			Name: src.Name, Kind: src.Kind, Url: src.URL, Account: src.AccountName(), CreatedAt: now, UpdatedAt: now,
		}); err != nil {
			return fmt.Errorf("cannot sync source %q: %w", src.Name, err)
		}
	}
	return nil
}

// StartRun creates the job's run, or takes over an unfinished one whose lease lapsed.
func (s *Store) StartRun(ctx context.Context, job crawl.Job, lease time.Duration) (crawl.Progress, crawl.Claim, error) {
	now := s.now().UTC()
	if err := s.q.CreateCrawlRun(ctx, queries.CreateCrawlRunParams{JobID: job.ID, Source: job.Source, StartedAt: now}); err != nil {
		return crawl.Progress{}, 0, classify(err)
	}
	n, err := s.q.ClaimCrawlRun(ctx, queries.ClaimCrawlRunParams{
		LeaseUntil: nullTime(now.Add(lease)), JobID: job.ID, LeaseUntil_2: nullTime(now),
	})
	if err != nil {
		return crawl.Progress{}, 0, classify(err)
	}
	run, err := s.q.GetCrawlRun(ctx, job.ID)
	if err != nil {
		return crawl.Progress{}, 0, classify(err)
	}
	switch {
	case run.FinishedAt.Valid:
		return crawl.Progress{}, crawl.ClaimFinished, nil
	case n == 0:
		return crawl.Progress{}, crawl.ClaimHeld, nil
	}
	return crawl.Progress{Cursor: run.CursorUrl, Pages: int(run.Pages), New: int(run.PostsNew), Seen: int(run.PostsSeen)}, crawl.ClaimOK, nil
}

// SaveProgress records where the run resumes and renews its lease.
func (s *Store) SaveProgress(ctx context.Context, jobID string, p crawl.Progress, lease time.Duration) error {
	return classify(s.q.SaveCrawlProgress(ctx, queries.SaveCrawlProgressParams{
		CursorUrl: p.Cursor, Pages: int32(p.Pages), PostsNew: int32(p.New), PostsSeen: int32(p.Seen),
		LeaseUntil: nullTime(s.now().UTC().Add(lease)), JobID: jobID,
	}))
}

// FinishRun records the run's outcome.
func (s *Store) FinishRun(ctx context.Context, jobID string, r crawl.Result) error {
	var errText sql.NullString
	if text := crawl.StoredError(r); text != "" {
		errText = sql.NullString{String: text, Valid: true}
	}
	return classify(s.q.FinishCrawlRun(ctx, queries.FinishCrawlRunParams{
		FinishedAt: nullTime(s.now().UTC()), Verdict: r.Verdict, Pages: int32(r.Pages),
		PostsNew: int32(r.New), PostsSeen: int32(r.Seen), Error: errText, JobID: jobID,
	}))
}

// Source returns a source's crawl state; a source never synced is ok.
func (s *Store) Source(ctx context.Context, name string) (crawl.SourceState, error) {
	row, err := s.q.GetSource(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return crawl.SourceState{State: crawl.StateOK}, nil
	}
	if err != nil {
		return crawl.SourceState{}, classify(err)
	}
	return crawl.SourceState{State: row.State, PausedUntil: row.PausedUntil.Time}, nil
}

// PauseAccount pauses every source of the account until then.
func (s *Store) PauseAccount(ctx context.Context, account string, until time.Time) error {
	return classify(s.q.PauseAccount(ctx, queries.PauseAccountParams{PausedUntil: nullTime(until), UpdatedAt: s.now().UTC(), Account: account}))
}

// SetSourceState sets a source's state and clears any pause.
func (s *Store) SetSourceState(ctx context.Context, name, state string) error {
	return classify(s.q.SetSourceState(ctx, queries.SetSourceStateParams{State: state, UpdatedAt: s.now().UTC(), Name: name}))
}

// RecordCrawl notes a crawl's verdict and the newest post it found.
func (s *Store) RecordCrawl(ctx context.Context, name, verdict string, newest *time.Time) error {
	var n sql.NullTime
	if newest != nil {
		n = nullTime(*newest)
	}
	now := s.now().UTC()
	return classify(s.q.RecordSourceCrawl(ctx, queries.RecordSourceCrawlParams{
		LastCrawlAt: nullTime(now), LastVerdict: verdict, LastNewPostAt: n, UpdatedAt: now, Name: name,
	}))
}

// Seen returns which of ids are stored posts of source. The ids are asked for in chunks:
// one statement holds at most 65,535 placeholders (MySQL error 1390), and a page may carry
// more items than that.
func (s *Store) Seen(ctx context.Context, source string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for chunk := range slices.Chunk(ids, maxInList) {
		rows, err := s.q.PostsByExternalIDs(ctx, queries.PostsByExternalIDsParams{Source: source, ExternalIds: chunk})
		if err != nil {
			return nil, classify(err)
		}
		for _, r := range rows {
			out[r.ExternalID] = true
		}
	}
	return out, nil
}

// maxInList is the most values one IN (…) list of ours holds, far under MySQL's 65,535
// placeholders a statement and small enough for the server to plan quickly.
const maxInList = 1000

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: true} }
