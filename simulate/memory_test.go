package simulate_test

import (
	"testing"

	"groupwatch/handlers"
	"groupwatch/simulate"
	"groupwatch/store/storetest"
)

func TestMemoryKeepsTheStoreContract(t *testing.T) {
	t.Run("AlertStore", func(t *testing.T) {
		storetest.AlertStore(t, func(*testing.T) handlers.AlertStore { return simulate.NewMemory(nil) })
	})
	t.Run("ThresholdStore", func(t *testing.T) {
		storetest.ThresholdStore(t, func(*testing.T) handlers.ThresholdStore { return simulate.NewMemory(nil) })
	})
}
