package handlers_test

import (
	"testing"
	"time"

	"groupwatch/handlers"
	"groupwatch/store/storetest"
)

// TestFakesKeepTheStoreContract holds the fakes the handler tests run on to the contract
// MySQL keeps, so a handler test cannot pass on behaviour the real store does not have.
func TestFakesKeepTheStoreContract(t *testing.T) {
	t.Run("PostStore", func(t *testing.T) {
		storetest.PostStore(t, func(*testing.T) handlers.PostStore { return handlers.NewFakePosts() })
	})
	t.Run("MatchStore", func(t *testing.T) {
		storetest.MatchStore(t, func(*testing.T) (handlers.MatchStore, func(*testing.T) int) {
			s, count := handlers.NewFakeMatches()
			return s, func(*testing.T) int { return count() }
		})
	})
	t.Run("AlertStore", func(t *testing.T) {
		storetest.AlertStore(t, func(*testing.T) handlers.AlertStore { return handlers.NewFakeAlerts() })
	})
	t.Run("ThresholdStore", func(t *testing.T) {
		storetest.ThresholdStore(t, func(*testing.T) handlers.ThresholdStore { return handlers.NewFakeThresholds() })
	})
	t.Run("DeliveryStore", func(t *testing.T) {
		storetest.DeliveryStore(t, func(_ *testing.T, c *storetest.Clock) handlers.DeliveryStore {
			return handlers.NewFakeDeliveries(c.Now)
		})
	})
	t.Run("Silences", func(t *testing.T) {
		storetest.Silences(t, func(*testing.T) (handlers.Silences, storetest.AddSilence) {
			s, add := handlers.NewFakeSilences()
			return s, func(_ *testing.T, rule, key, reason string, starts, ends time.Time) {
				add(rule, key, reason, starts, ends)
			}
		})
	})
}
