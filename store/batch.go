package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"groupwatch/handlers"
	"groupwatch/queries"
)

// postBatcher is the normalize stage's group commit. Each consumer's SavePost waits on a
// request; a writer takes every request waiting at that moment (up to maxBatch) and stores
// them with one read, one multi-row upsert and one read of the new ids. No timer: a batch is
// whatever queued while the previous one was written, so a lone post waits for nobody.
//
// Each post goes to the writer its (source, external_id) hashes to, so two copies of one post
// are never classified by two writers at once (both would take it for new).
type postBatcher struct {
	q        *queries.Queries
	maxBatch int
	now      func() time.Time
	writers  []chan *saveReq
	stop     chan struct{}
	// packet is the server's max_allowed_packet once read.
	packet atomic.Int64
	wg     sync.WaitGroup
}

type saveReq struct {
	rec  handlers.PostRecord
	done chan saveResult // buffered: the writer never blocks on a caller that gave up
}

type saveResult struct {
	saved handlers.SavedPost
	err   error
}

// batchTimeout bounds one batch write: a batch serves many messages, so it does not use any
// one message's context.
const batchTimeout = 30 * time.Second

func newPostBatcher(q *queries.Queries, maxBatch, writers int, now func() time.Time) *postBatcher {
	b := &postBatcher{q: q, maxBatch: maxBatch, now: now, stop: make(chan struct{})}
	for i := 0; i < writers; i++ {
		reqs := make(chan *saveReq)
		b.writers = append(b.writers, reqs)
		b.wg.Add(1)
		go b.run(reqs)
	}
	return b
}

func (b *postBatcher) save(ctx context.Context, rec handlers.PostRecord) (handlers.SavedPost, error) {
	req := &saveReq{rec: rec, done: make(chan saveResult, 1)}
	h := fnv.New32a()
	h.Write([]byte(rec.Source))
	h.Write([]byte{0})
	h.Write([]byte(rec.ExternalID))
	select {
	case b.writers[h.Sum32()%uint32(len(b.writers))] <- req:
	case <-ctx.Done():
		return handlers.SavedPost{}, ctx.Err()
	case <-b.stop:
		return handlers.SavedPost{}, errors.New("store is closed")
	}
	select {
	case res := <-req.done:
		return res.saved, res.err
	case <-ctx.Done():
		// The batch may still be written; the message is redelivered and then repeated.
		return handlers.SavedPost{}, ctx.Err()
	}
}

func (b *postBatcher) close() {
	close(b.stop)
	b.wg.Wait()
}

func (b *postBatcher) run(reqs chan *saveReq) {
	defer b.wg.Done()
	for {
		var batch []*saveReq
		select {
		case req := <-reqs:
			batch = append(batch, req)
		case <-b.stop:
			return
		}
	collect:
		for len(batch) < b.maxBatch {
			select {
			case req := <-reqs:
				batch = append(batch, req)
			default:
				break collect
			}
		}
		b.write(batch)
	}
}

func (b *postBatcher) write(batch []*saveReq) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	// A statement over max_allowed_packet is refused (or the connection reset) whatever
	// the retry: split the batch below it, and refuse a post that could never fit.
	budget := b.statementBudget(ctx)
	var chunk []*saveReq
	size := 0
	for _, req := range batch {
		n := rowBytes(req.rec)
		if n > budget {
			req.done <- saveResult{err: handlers.Permanent(fmt.Errorf(
				"post is %d bytes, more than MySQL takes in one statement here (%d bytes: max_allowed_packet less a margin)", n, budget))}
			continue
		}
		if size+n > budget && len(chunk) > 0 {
			b.writeChunk(ctx, chunk)
			chunk, size = nil, 0
		}
		chunk = append(chunk, req)
		size += n
	}
	if len(chunk) > 0 {
		b.writeChunk(ctx, chunk)
	}
}

func (b *postBatcher) writeChunk(ctx context.Context, batch []*saveReq) {
	results, err := b.writeBatch(ctx, batch)
	if err != nil && IsDataError(err) && len(batch) > 1 {
		// One bad row fails the whole statement: write row by row so that only the bad
		// post is rejected and the rest are stored.
		results, err = b.writeEach(ctx, batch), nil
	}
	for i, req := range batch {
		if err != nil {
			req.done <- saveResult{err: classify(err)}
			continue
		}
		req.done <- results[i]
	}
}

// statementBudget is how many bytes of posts one statement may carry: three quarters of the
// server's max_allowed_packet (read once), leaving room for the statement's text and the
// protocol's overhead; 3 MiB until the server has said.
func (b *postBatcher) statementBudget(ctx context.Context) int {
	if n := b.packet.Load(); n > 0 {
		return int(n / 4 * 3)
	}
	n, err := b.q.MaxAllowedPacket(ctx)
	if err != nil || n <= 0 {
		return 3 << 20
	}
	b.packet.Store(n)
	return int(n / 4 * 3)
}

// rowBytes is about what a post weighs in an upsert: its values and their framing.
func rowBytes(rec handlers.PostRecord) int {
	return len(rec.Source) + len(rec.ExternalID) + len(rec.Author) + len(rec.URL) + len(rec.Text) +
		len(rec.ContentHash) + len(rec.Raw) + len(rec.MessageID) + 256
}

type postKey struct{ source, externalID string }

// clashingKeys finds the posts of a batch whose lookup brought back a row under another id:
// a database comparing ids unlike Go (MariaDB's PAD SPACE utf8mb4_bin, before the upgrade
// to VARBINARY) would let such a post overwrite that row. It maps each to the stored id.
func clashingKeys(batch []*saveReq, stored map[postKey]queries.PostsByExternalIDsRow) map[postKey]string {
	asked := map[postKey]bool{}
	for _, req := range batch {
		asked[postKey{req.rec.Source, req.rec.ExternalID}] = true
	}
	var clashes map[postKey]string
	for k := range stored {
		if asked[k] {
			continue
		}
		// A row nobody asked for by its exact id: find who it answered.
		for a := range asked {
			if _, exact := stored[a]; !exact && a.source == k.source && strings.TrimRight(a.externalID, " ") == strings.TrimRight(k.externalID, " ") {
				if clashes == nil {
					clashes = map[postKey]string{}
				}
				clashes[a] = k.externalID
			}
		}
	}
	return clashes
}

// writeBatch classifies each post against what is stored, upserts the new and edited ones in
// one statement, and reads back the ids of the new ones.
func (b *postBatcher) writeBatch(ctx context.Context, batch []*saveReq) ([]saveResult, error) {
	bySource := map[string][]string{}
	for _, req := range batch {
		bySource[req.rec.Source] = append(bySource[req.rec.Source], req.rec.ExternalID)
	}
	stored, err := b.lookup(ctx, bySource)
	if err != nil {
		return nil, err
	}
	clashes := clashingKeys(batch, stored)

	now := b.now().UTC()
	results := make([]saveResult, len(batch))
	latest := map[postKey]queries.UpsertPostParams{}
	var fresh []int // indexes of new posts, whose ids are known only after the write
	for i, req := range batch {
		k := postKey{req.rec.Source, req.rec.ExternalID}
		prev, seen := stored[k]
		if other, clash := clashes[k]; clash {
			// Writing it would overwrite another post's row: refuse this one post.
			results[i] = saveResult{err: handlers.Permanent(fmt.Errorf(
				"post %q/%q: the database takes its id for the stored %q (run `pipeline migrate` to make ids compare byte for byte)", k.source, k.externalID, other))}
			continue
		}
		switch {
		case !seen:
			results[i].saved.Outcome = handlers.OutcomeNew
		case prev.ContentHash == req.rec.ContentHash && prev.MessageID == req.rec.MessageID && prev.ID != 0:
			// This very message wrote the row before and is delivered again: pass it on
			// again, as what it was then.
			outcome := handlers.OutcomeNew
			if prev.Edits > 0 {
				outcome = handlers.OutcomeEdited
			}
			results[i].saved = handlers.SavedPost{ID: prev.ID, Outcome: outcome}
			continue
		case prev.ContentHash == req.rec.ContentHash:
			results[i].saved = handlers.SavedPost{ID: prev.ID, Outcome: handlers.OutcomeRepeated}
		default:
			results[i].saved = handlers.SavedPost{ID: prev.ID, Outcome: handlers.OutcomeEdited}
		}
		if results[i].saved.ID == 0 {
			// New, or a second copy in this batch of a post new in this batch.
			fresh = append(fresh, i)
		}
		if results[i].saved.Outcome == handlers.OutcomeRepeated {
			continue
		}
		// A post twice in one batch: the later copy is compared with the earlier one.
		stored[k] = queries.PostsByExternalIDsRow{ID: prev.ID, ExternalID: k.externalID, ContentHash: req.rec.ContentHash, MessageID: req.rec.MessageID}
		latest[k] = upsertParams(req.rec, now)
	}
	if len(latest) > 0 {
		rows := make([]queries.UpsertPostParams, 0, len(latest))
		for _, r := range latest {
			rows = append(rows, r)
		}
		// A fixed order keeps two writers from locking the same keys in opposite orders.
		sort.Slice(rows, func(i, j int) bool {
			if rows[i].Source != rows[j].Source {
				return rows[i].Source < rows[j].Source
			}
			return rows[i].ExternalID < rows[j].ExternalID
		})
		if err := b.q.UpsertPosts(ctx, rows); err != nil {
			return nil, err
		}
	}
	if len(fresh) > 0 {
		newBySource := map[string][]string{}
		for _, i := range fresh {
			rec := batch[i].rec
			newBySource[rec.Source] = append(newBySource[rec.Source], rec.ExternalID)
		}
		ids, err := b.lookup(ctx, newBySource)
		if err != nil {
			return nil, err
		}
		for _, i := range fresh {
			rec := batch[i].rec
			row, ok := ids[postKey{rec.Source, rec.ExternalID}]
			if !ok {
				// The database took this id for another one (a collation that ignores
				// trailing spaces, say): no retry will find it. Only this post fails.
				results[i] = saveResult{err: handlers.Permanent(fmt.Errorf(
					"post %q/%q not found right after it was written: the database compares its id with another post's as equal", rec.Source, rec.ExternalID))}
				continue
			}
			results[i].saved.ID = row.ID
		}
	}
	return results, nil
}

func (b *postBatcher) lookup(ctx context.Context, bySource map[string][]string) (map[postKey]queries.PostsByExternalIDsRow, error) {
	out := map[postKey]queries.PostsByExternalIDsRow{}
	for source, ids := range bySource {
		rows, err := b.q.PostsByExternalIDs(ctx, queries.PostsByExternalIDsParams{Source: source, ExternalIds: ids})
		if err != nil {
			return nil, fmt.Errorf("cannot read posts of %s: %w", source, err)
		}
		for _, r := range rows {
			out[postKey{source, r.ExternalID}] = r
		}
	}
	return out, nil
}

// writeEach stores each post on its own, after a batch was rejected for its data.
func (b *postBatcher) writeEach(ctx context.Context, batch []*saveReq) []saveResult {
	results := make([]saveResult, len(batch))
	for i, req := range batch {
		res, err := b.writeBatch(ctx, []*saveReq{req})
		if err != nil {
			results[i].err = classify(err)
			continue
		}
		results[i] = res[0]
	}
	return results
}

func upsertParams(rec handlers.PostRecord, now time.Time) queries.UpsertPostParams {
	var posted sql.NullTime
	if rec.PostedAt != nil {
		posted = sql.NullTime{Time: rec.PostedAt.UTC(), Valid: true}
	}
	raw := string(rec.Raw)
	if raw == "" {
		raw = "{}"
	}
	return queries.UpsertPostParams{
		Source: rec.Source, ExternalID: rec.ExternalID, Author: rec.Author, Url: rec.URL,
		Text: rec.Text, ContentHash: rec.ContentHash, RawPayload: raw, MessageID: rec.MessageID,
		PostedAt: posted, FirstSeenAt: now, UpdatedAt: now,
	}
}
