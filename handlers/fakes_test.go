package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Plain in-memory stores for the handler tests: no Redis, no MySQL.

var errDown = errors.New("connection refused")

type fakePosts struct {
	byKey map[string]PostRecord
	ids   map[string]int64
	// firstOf is the outcome each message first had: a redelivery answers the same.
	firstOf map[string]Outcome
	err     error
}

func (f *fakePosts) SavePost(_ context.Context, p PostRecord) (SavedPost, error) {
	if f.err != nil {
		return SavedPost{}, f.err
	}
	if f.byKey == nil {
		f.byKey, f.ids, f.firstOf = map[string]PostRecord{}, map[string]int64{}, map[string]Outcome{}
	}
	k := p.Source + "/" + p.ExternalID
	msg := k + "#" + p.MessageID
	if out, ok := f.firstOf[msg]; ok {
		return SavedPost{ID: f.ids[k], Outcome: out}, nil
	}
	prev, ok := f.byKey[k]
	f.byKey[k] = p
	out := OutcomeEdited
	switch {
	case !ok:
		f.ids[k] = int64(len(f.ids) + 1)
		out = OutcomeNew
	case prev.ContentHash == p.ContentHash:
		out = OutcomeRepeated
	}
	f.firstOf[msg] = out
	return SavedPost{ID: f.ids[k], Outcome: out}, nil
}

type savedMatch struct {
	rule, post int64
	terms      []string
}

type fakeMatches struct {
	saved []savedMatch
	err   error
}

func (f *fakeMatches) SaveMatch(_ context.Context, ruleID, postID int64, terms []string) error {
	if f.err != nil {
		return f.err
	}
	for i, m := range f.saved {
		if m.rule == ruleID && m.post == postID {
			f.saved[i].terms = terms // one per (rule, post), the newest terms
			return nil
		}
	}
	f.saved = append(f.saved, savedMatch{ruleID, postID, terms})
	return nil
}

type fakeAlerts struct {
	rows map[string]*StoredAlert
	err  error
}

func (f *fakeAlerts) CreateAlert(_ context.Context, a AlertRecord) (StoredAlert, error) {
	if f.err != nil {
		return StoredAlert{}, f.err
	}
	if f.rows == nil {
		f.rows = map[string]*StoredAlert{}
	}
	if row, ok := f.rows[a.DedupKey]; ok {
		return *row, nil
	}
	row := &StoredAlert{ID: int64(len(f.rows) + 1), Suppressed: a.Suppressed}
	f.rows[a.DedupKey] = row
	return *row, nil
}

type fakeDelivery struct {
	alert      Alert
	status     string
	attempts   int
	next       time.Time
	leaseUntil time.Time
	reason     string
}

// fakeLease is how long the fake's claim holds, as the store's DeliveryLease does.
const fakeLease = 2 * time.Minute

type fakeDeliveries struct {
	mu  sync.Mutex
	now time.Time
	// clock, when set, is read instead of now.
	clock     func() time.Time
	rows      map[string]*fakeDelivery
	published map[int64]bool
	err       error
}

func key(alertID int64, sink string) string { return fmt.Sprintf("%s#%d", sink, alertID) }

func (f *fakeDeliveries) init() {
	if f.rows == nil {
		f.rows, f.published = map[string]*fakeDelivery{}, map[int64]bool{}
	}
}

func (f *fakeDeliveries) row(alertID int64, sink string) *fakeDelivery {
	f.init()
	return f.rows[key(alertID, sink)]
}

func (f *fakeDeliveries) ClaimDelivery(_ context.Context, a Alert, sink string) (int, bool, error) {
	f.init()
	if f.err != nil {
		return 0, false, f.err
	}
	r, ok := f.rows[key(a.AlertID, sink)]
	if !ok {
		r = &fakeDelivery{alert: a, status: DeliveryPending}
		f.rows[key(a.AlertID, sink)] = r
	}
	if !(r.status == DeliveryPending || f.due(r)) {
		return 0, false, nil
	}
	r.status = DeliverySending
	r.attempts++
	r.leaseUntil = f.time().Add(fakeLease)
	return r.attempts, true, nil
}

func (f *fakeDeliveries) time() time.Time {
	if f.clock != nil {
		return f.clock()
	}
	return f.now
}

// due: failed and due, or claimed by a sender whose lease lapsed.
func (f *fakeDeliveries) due(r *fakeDelivery) bool {
	now := f.time()
	return r.status == DeliveryFailed && !r.next.After(now) || r.status == DeliverySending && r.leaseUntil.Before(now)
}

func (f *fakeDeliveries) MarkSent(_ context.Context, alertID int64, sink string) error {
	f.row(alertID, sink).status = DeliverySent
	return f.err
}

func (f *fakeDeliveries) MarkFailed(_ context.Context, alertID int64, sink, reason string, next time.Time) error {
	r := f.row(alertID, sink)
	r.status, r.reason, r.next = DeliveryFailed, reason, next
	return f.err
}

func (f *fakeDeliveries) MarkDead(_ context.Context, alertID int64, sink, reason string) error {
	r := f.row(alertID, sink)
	r.status, r.reason = DeliveryDead, reason
	return f.err
}

func (f *fakeDeliveries) MarkAlertPublished(_ context.Context, alertID int64) error {
	f.init()
	f.published[alertID] = true
	return f.err
}

func (f *fakeDeliveries) DueDeliveries(_ context.Context, sinks []string, limit int) ([]DueDelivery, error) {
	f.init()
	var out []DueDelivery
	for _, sink := range sinks {
		for k, r := range f.rows {
			if strings.HasPrefix(k, sink+"#") && f.due(r) && len(out) < limit {
				out = append(out, DueDelivery{Alert: r.alert, Sink: sink, Attempts: r.attempts})
			}
		}
	}
	return out, nil
}

type fakeSink struct {
	name string
	sent []Alert
	err  error
}

func (s *fakeSink) Name() string { return s.name }

func (s *fakeSink) Send(_ context.Context, a Alert) error {
	if s.err != nil {
		return s.err
	}
	s.sent = append(s.sent, a)
	return nil
}

// fakeSilences holds silences as MySQL does: a rule's (key "") or one key's, from its making
// (zero: always) until an end.
type fakeSilences []fakeSilence

type fakeSilence struct {
	rule, key, reason string
	starts, ends      time.Time
}

func (f fakeSilences) Silence(_ context.Context, rule, key string, now time.Time) (string, error) {
	best := -1
	for i, s := range f {
		if s.rule == rule && (s.key == "" || s.key == key) && !s.starts.After(now) && s.ends.After(now) && (best < 0 || s.ends.After(f[best].ends)) {
			best = i
		}
	}
	if best < 0 {
		return "", nil
	}
	return f[best].reason, nil
}
