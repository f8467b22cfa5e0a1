package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Plain in-memory stores for the handler tests: no Redis, no MySQL.

var errDown = errors.New("connection refused")

type fakePosts struct {
	byKey map[string]PostRecord
	ids   map[string]int64
	err   error
}

func (f *fakePosts) SavePost(_ context.Context, p PostRecord) (SavedPost, error) {
	if f.err != nil {
		return SavedPost{}, f.err
	}
	if f.byKey == nil {
		f.byKey, f.ids = map[string]PostRecord{}, map[string]int64{}
	}
	k := p.Source + "/" + p.ExternalID
	prev, ok := f.byKey[k]
	f.byKey[k] = p
	switch {
	case !ok:
		f.ids[k] = int64(len(f.ids) + 1)
		return SavedPost{ID: f.ids[k], Outcome: OutcomeNew}, nil
	case prev.ContentHash == p.ContentHash:
		return SavedPost{ID: f.ids[k], Outcome: OutcomeRepeated}, nil
	default:
		return SavedPost{ID: f.ids[k], Outcome: OutcomeEdited}, nil
	}
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
	row := &StoredAlert{ID: int64(len(f.rows) + 1)}
	f.rows[a.DedupKey] = row
	return *row, nil
}

type fakeDeliveries struct {
	mu        sync.Mutex
	status    map[string]string
	attempts  map[string]int
	published map[int64]bool
	err       error
}

func key(alertID int64, sink string) string { return fmt.Sprintf("%s#%d", sink, alertID) }

func (f *fakeDeliveries) init() {
	if f.status == nil {
		f.status, f.attempts, f.published = map[string]string{}, map[string]int{}, map[int64]bool{}
	}
}

func (f *fakeDeliveries) DeliveryStatus(_ context.Context, alertID int64, sink string) (string, error) {
	f.init()
	return f.status[key(alertID, sink)], f.err
}

func (f *fakeDeliveries) ClaimDelivery(_ context.Context, alertID int64, sink string) (bool, error) {
	f.init()
	switch f.status[key(alertID, sink)] {
	case DeliverySent, DeliverySending:
		return false, f.err
	}
	f.attempts[key(alertID, sink)]++
	f.status[key(alertID, sink)] = DeliverySending
	return true, f.err
}

func (f *fakeDeliveries) MarkSent(_ context.Context, alertID int64, sink string) error {
	f.init()
	f.status[key(alertID, sink)] = DeliverySent
	return f.err
}

func (f *fakeDeliveries) MarkFailed(_ context.Context, alertID int64, sink, _ string) error {
	f.init()
	f.status[key(alertID, sink)] = DeliveryFailed
	return f.err
}

func (f *fakeDeliveries) MarkAlertPublished(_ context.Context, alertID int64) error {
	f.init()
	f.published[alertID] = true
	return f.err
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
