package handlers

import (
	"context"
	"time"
)

// The handler tests' fakes, for the store contract (contract_test.go) to hold them to the
// same behaviour as MySQL.

func NewFakePosts() PostStore           { return &fakePosts{} }
func NewFakeAlerts() AlertStore         { return &fakeAlerts{} }
func NewFakeThresholds() ThresholdStore { return &fakeThresholds{} }
func NewFakeDeliveries(clock func() time.Time) DeliveryStore {
	return &fakeDeliveries{clock: clock}
}

// NewFakeSilences returns the fake and how to add a silence to it.
func NewFakeSilences() (Silences, func(rule, key, reason string, starts, ends time.Time)) {
	f := &fakeSilences{}
	return fakeSilencesOf{f}, func(rule, key, reason string, starts, ends time.Time) {
		*f = append(*f, fakeSilence{rule: rule, key: key, reason: reason, starts: starts, ends: ends})
	}
}

type fakeSilencesOf struct{ f *fakeSilences }

func (s fakeSilencesOf) Silence(ctx context.Context, rule, key string, now time.Time) (string, error) {
	return s.f.Silence(ctx, rule, key, now)
}

// NewFakeMatches returns the fake and how many matches it holds.
func NewFakeMatches() (MatchStore, func() int) {
	f := &fakeMatches{}
	return f, func() int { return len(f.saved) }
}
