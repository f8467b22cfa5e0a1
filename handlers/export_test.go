package handlers

import "time"

// The handler tests' fakes, for the store contract (contract_test.go) to hold them to the
// same behaviour as MySQL.

func NewFakePosts() PostStore           { return &fakePosts{} }
func NewFakeAlerts() AlertStore         { return &fakeAlerts{} }
func NewFakeThresholds() ThresholdStore { return &fakeThresholds{} }
func NewFakeDeliveries(clock func() time.Time) DeliveryStore {
	return &fakeDeliveries{clock: clock}
}
