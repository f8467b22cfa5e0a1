package simulate

import (
	"context"
	"slices"
	"sync"
	"time"

	"groupwatch/handlers"
)

// Memory is the state of one simulation: a handlers.AlertStore and ThresholdStore in memory,
// empty at the start, so a simulation neither sees nor changes live alerts, rule events or
// rule states. It keeps the same contract as the MySQL store (store/storetest).
type Memory struct {
	// history, when set, answers DailyCounts: the daily ETL's counts are history, read
	// only, in days before the simulated now.
	history History

	mu     sync.Mutex
	alerts []handlers.AlertRecord
	byKey  map[string]int
	events map[ruleKey]map[int64]time.Time
	state  map[ruleKey]handlers.FireState
}

type ruleKey struct {
	rule int64
	key  string
}

// History reads the daily ETL's counts (keyword_daily), which threshold baselines use.
type History interface {
	DailyCounts(ctx context.Context, ruleID int64, groupBy, key string, from, to time.Time) ([]int, error)
}

// NewMemory returns an empty simulation state; history may be nil (no baselines).
func NewMemory(history History) *Memory {
	return &Memory{history: history, byKey: map[string]int{}, events: map[ruleKey]map[int64]time.Time{}, state: map[ruleKey]handlers.FireState{}}
}

// Records returns the alerts stored so far, in the order they were first stored, suppressed
// ones included.
func (m *Memory) Records() []handlers.AlertRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.alerts)
}

// CreateAlert stores the alert unless its dedup key is taken and returns the row behind it.
func (m *Memory) CreateAlert(_ context.Context, a handlers.AlertRecord) (handlers.StoredAlert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i, ok := m.byKey[a.DedupKey]; ok {
		return handlers.StoredAlert{ID: int64(i + 1), Suppressed: m.alerts[i].Suppressed}, nil
	}
	m.alerts = append(m.alerts, a)
	m.byKey[a.DedupKey] = len(m.alerts) - 1
	return handlers.StoredAlert{ID: int64(len(m.alerts)), Suppressed: a.Suppressed}, nil
}

// RecordMatch counts the post under (rule, key) once and returns the key's times in
// (since, at], in order.
func (m *Memory) RecordMatch(_ context.Context, ruleID int64, key string, postID int64, at, since time.Time) ([]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := ruleKey{ruleID, key}
	if m.events[k] == nil {
		m.events[k] = map[int64]time.Time{}
	}
	if _, ok := m.events[k][postID]; !ok {
		m.events[k][postID] = at
	}
	var out []time.Time
	for _, t := range m.events[k] {
		if t.After(since) && !t.After(at) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out, nil
}

// DailyCounts reads the history; without one a baseline falls back to its fixed count.
func (m *Memory) DailyCounts(ctx context.Context, ruleID int64, groupBy, key string, from, to time.Time) ([]int, error) {
	if m.history == nil {
		return nil, nil
	}
	return m.history.DailyCounts(ctx, ruleID, groupBy, key, from, to)
}

// FireState returns the key's state; a fresh key may fire at once.
func (m *Memory) FireState(_ context.Context, ruleID int64, key string) (handlers.FireState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state[ruleKey{ruleID, key}], nil
}

// TryFire is the compare-and-set MySQL does: on the cool-down's end the caller read.
func (m *Memory) TryFire(_ context.Context, ruleID int64, key string, prev handlers.FireState, now time.Time, realert time.Duration, dedup string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := ruleKey{ruleID, key}
	if !m.state[k].NextAllowed.Equal(prev.NextAllowed) {
		return false, nil
	}
	m.state[k] = handlers.FireState{NextAllowed: now.Add(realert), Realert: realert, LastFired: now, LastDedupKey: dedup}
	return true, nil
}
