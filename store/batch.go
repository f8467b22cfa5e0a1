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

	"github.com/go-sql-driver/mysql"

	"groupwatch/handlers"
	"groupwatch/queries"
)

// postBatcher is the normalize stage's group commit. Each consumer's SavePost waits on a
// request; a writer takes every request waiting at that moment (up to maxBatch) and stores
// them with one read of what is stored, then one multi-row INSERT of the new posts and one
// multi-row upsert of the edited ones. The new posts' ids follow from the INSERT's first id
// where the server numbers a multi-row insert consecutively (idStep); elsewhere, or when the
// INSERT meets a post written since the read, the new posts go through the upsert and their
// ids are read back. No timer: a batch is whatever queued while the previous one was written,
// so a lone post waits for nobody.
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
	// idStep is what the server adds from one new row's id to the next in a multi-row
	// INSERT, once read: auto_increment_increment, or -1 where ids of one statement need
	// not be consecutive (innodb_autoinc_lock_mode 2, or the server would not say).
	idStep atomic.Int64
	// readBackIDs, set only by tests, always reads new posts' ids back.
	readBackIDs bool
	wg          sync.WaitGroup
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
	var inserts, upserts []queries.UpsertPostParams
	for k, r := range latest {
		if stored[k].ID == 0 {
			inserts = append(inserts, r)
		} else {
			upserts = append(upserts, r)
		}
	}
	// A fixed order keeps two writers from locking the same keys in opposite orders.
	sortPosts(inserts)
	sortPosts(upserts)
	inserted, err := b.insertNew(ctx, inserts)
	if err != nil {
		return nil, err
	}
	if inserted == nil {
		// Not numbered consecutively here, or written since the read: upsert them.
		upserts = append(upserts, inserts...)
		sortPosts(upserts)
	}
	if len(upserts) > 0 {
		if err := b.q.UpsertPosts(ctx, upserts); err != nil {
			return nil, err
		}
	}
	if len(fresh) > 0 {
		ids := inserted
		if ids == nil {
			newBySource := map[string][]string{}
			for _, i := range fresh {
				rec := batch[i].rec
				newBySource[rec.Source] = append(newBySource[rec.Source], rec.ExternalID)
			}
			if ids, err = b.lookup(ctx, newBySource); err != nil {
				return nil, err
			}
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

// insertNew writes posts the lookup did not find with one plain INSERT and returns their ids,
// first + i×step in the statement's order. It returns nil, nil when it wrote nothing: the
// server may number the rows of one statement apart (they are left to the upsert, whose ids
// are read back), or one of the posts was written since the lookup (the INSERT failed whole
// on its key, and the upsert takes it as an edit would be taken).
func (b *postBatcher) insertNew(ctx context.Context, rows []queries.UpsertPostParams) (map[postKey]queries.PostsByExternalIDsRow, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	step := b.consecutiveStep(ctx)
	if step <= 0 {
		return nil, nil
	}
	res, err := b.q.InsertPosts(ctx, rows)
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1062 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	first, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("cannot read the first id of %d inserted posts: %w", len(rows), err)
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(rows)) || first <= 0 {
		return nil, fmt.Errorf("inserting %d posts affected %d rows from id %d (%v): the server did not insert them as one simple insert", len(rows), n, first, err)
	}
	ids := make(map[postKey]queries.PostsByExternalIDsRow, len(rows))
	for i, r := range rows {
		ids[postKey{r.Source, r.ExternalID}] = queries.PostsByExternalIDsRow{ID: first + int64(i)*step, ExternalID: r.ExternalID}
	}
	return ids, nil
}

// consecutiveStep is idStep, read from the server the first time: auto_increment_increment
// where innodb_autoinc_lock_mode is 0 or 1, else -1. A server that cannot say (the stand-in
// answers 2) gets -1 too, and the ids are read back.
func (b *postBatcher) consecutiveStep(ctx context.Context) int64 {
	if b.readBackIDs {
		return -1
	}
	if n := b.idStep.Load(); n != 0 {
		return n
	}
	scheme, err := b.q.AutoIncrementScheme(ctx)
	if err != nil {
		return -1 // asked again next batch: the server may be down, not unable
	}
	step := int64(-1)
	if (scheme.LockMode == 0 || scheme.LockMode == 1) && scheme.Increment > 0 {
		step = scheme.Increment
	}
	b.idStep.Store(step)
	return step
}

// sortPosts orders posts by (source, external_id).
func sortPosts(rows []queries.UpsertPostParams) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Source != rows[j].Source {
			return rows[i].Source < rows[j].Source
		}
		return rows[i].ExternalID < rows[j].ExternalID
	})
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
