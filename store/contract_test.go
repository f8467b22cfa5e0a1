package store_test

import (
	"context"
	"testing"
	"time"

	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/queries"
	"groupwatch/store"
	"groupwatch/store/storetest"
)

// TestContract runs the store contract over MySQL: the stand-in always, real MySQL too when
// the environment names one.
func TestContract(t *testing.T) {
	for name, start := range testenv.Databases() {
		open := func(t *testing.T, clock *storetest.Clock) *store.Store {
			env := start(t)
			opts := store.Options{DeliveryLease: storetest.DeliveryLease}
			if clock != nil {
				opts.Now = clock.Now
			}
			if env.Embedded {
				opts.Writers = 1
			}
			s := store.New(env.DB(t), opts)
			t.Cleanup(s.Close)
			return s
		}
		t.Run(name, func(t *testing.T) {
			t.Run("PostStore", func(t *testing.T) {
				storetest.PostStore(t, func(t *testing.T) handlers.PostStore { return open(t, nil) })
			})
			t.Run("MatchStore", func(t *testing.T) {
				storetest.MatchStore(t, func(t *testing.T) (handlers.MatchStore, func(*testing.T) int) {
					s := open(t, nil)
					return s, func(t *testing.T) int {
						n, err := s.Queries().CountMatches(context.Background())
						if err != nil {
							t.Fatal(err)
						}
						return int(n)
					}
				})
			})
			t.Run("AlertStore", func(t *testing.T) {
				storetest.AlertStore(t, func(t *testing.T) handlers.AlertStore { return open(t, nil) })
			})
			t.Run("ThresholdStore", func(t *testing.T) {
				storetest.ThresholdStore(t, func(t *testing.T) handlers.ThresholdStore { return open(t, nil) })
			})
			t.Run("Silences", func(t *testing.T) {
				storetest.Silences(t, func(t *testing.T) (handlers.Silences, storetest.AddSilence) {
					s := open(t, nil)
					return s, func(t *testing.T, rule, key, reason string, starts, ends time.Time) {
						err := s.Queries().InsertSilence(context.Background(), queries.InsertSilenceParams{
							Rule: rule, GroupKey: key, EndsAt: ends, Reason: reason, CreatedAt: starts})
						if err != nil {
							t.Fatal(err)
						}
					}
				})
			})
			t.Run("DeliveryStore", func(t *testing.T) {
				storetest.DeliveryStore(t, func(t *testing.T, c *storetest.Clock) handlers.DeliveryStore { return open(t, c) })
			})
		})
	}
}
