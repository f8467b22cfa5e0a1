package leader

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// A source with no post for quiet_after raises one "quiet" event, and no other within the
// hour; a source no longer configured raises none.
func TestQuietSourceRaisesOneEventAnHour(t *testing.T) {
	env := testenv.New(t)
	added := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	s := store.New(env.DB(t), store.Options{Writers: 1, Now: func() time.Time { return added }})
	defer s.Close()
	ctx := context.Background()
	watched := config.Source{Name: "forum:a", Kind: "forum", URL: "https://forum.example/a"}
	gone := config.Source{Name: "forum:gone", Kind: "forum", URL: "https://forum.example/gone"}
	if err := s.SyncSources(ctx, []config.Source{watched, gone}); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Sources: []config.Source{watched}, Health: config.Health{QuietAfter: 6 * time.Hour}}
	pub := &capturePublisher{}
	w := NewQuietWatch(cfg, s, pub.publish, "sources.health", slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, step := range []struct {
		at   time.Time
		want int // events published so far
	}{
		{added.Add(5 * time.Hour), 0},                // not quiet long enough
		{added.Add(6*time.Hour + time.Minute), 1},    // quiet
		{added.Add(6*time.Hour + 30*time.Minute), 1}, // told within the hour
		{added.Add(7*time.Hour + 2*time.Minute), 2},  // told again after it
	} {
		w.now = func() time.Time { return step.at }
		w.Step(ctx)
		if len(pub.msgs) != step.want {
			t.Fatalf("at %s: %d events, want %d", step.at, len(pub.msgs), step.want)
		}
	}
	var ev handlers.HealthEvent
	if err := json.Unmarshal(pub.msgs[0], &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Source != watched.Name || ev.Verdict != "quiet" {
		t.Fatalf("event %+v, want a quiet verdict for %s", ev, watched.Name)
	}
}
