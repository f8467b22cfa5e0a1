package leader

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// capturePublisher keeps what the jobs publish, as JSON, the way the pipeline sends it.
type capturePublisher struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (p *capturePublisher) publish(_ string, payload any, _ string, _ time.Time) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, b)
	return nil
}

// A weekly digest in Hong Kong time: nothing at first sight, one message with the week's
// matches after Monday 09:00 HKT, nothing twice, and an empty week sends nothing.
func TestDigestOnItsScheduleInItsTimeZone(t *testing.T) {
	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	cfg, err := config.Parse([]byte(`
rules:
  - {name: weekly, type: digest, query: acme, digest: {cron: '0 9 * * 1', timezone: Asia/Hong_Kong}, sinks: [out]}
sinks: [{name: out, type: console}]
`))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) // Sunday
	s := store.New(env.DB(t), store.Options{Writers: 1, Now: func() time.Time { return clock }})
	defer s.Close()
	ctx := context.Background()
	ids, err := s.SyncRules(ctx, cfg.Rules)
	if err != nil {
		t.Fatal(err)
	}
	pub := &capturePublisher{}
	w := NewDigests(cfg, s, pub.publish, "alerts", ids, slog.New(slog.NewTextHandler(io.Discard, nil)))
	step := func(at time.Time) {
		clock = at
		w.now = func() time.Time { return at }
		w.lastLook = time.Time{}
		w.Step(ctx)
	}

	step(clock)
	for i, text := range []string{"acme refund", "ACME 退款 again"} {
		saved, err := s.SavePost(ctx, handlers.PostRecord{Source: "fb:g", ExternalID: fmt.Sprint(i), Text: text, ContentHash: handlers.ContentHash(text), MessageID: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveMatch(ctx, ids["weekly"], saved.ID, []string{"acme"}); err != nil {
			t.Fatal(err)
		}
	}
	step(time.Date(2026, 11, 23, 0, 59, 0, 0, time.UTC)) // 08:59 HKT Monday
	if len(pub.msgs) != 0 {
		t.Fatal("sent before the tick")
	}
	step(time.Date(2026, 11, 23, 1, 0, 30, 0, time.UTC)) // 09:00:30 HKT
	step(time.Date(2026, 11, 23, 1, 5, 0, 0, time.UTC))
	if len(pub.msgs) != 1 {
		t.Fatalf("%d digests sent, want 1", len(pub.msgs))
	}
	var a handlers.Alert
	if err := json.Unmarshal(pub.msgs[0], &a); err != nil {
		t.Fatal(err)
	}
	if a.Kind != "digest" || a.AlertID == 0 || a.Summary != "2 matches in 2 posts from 1 sources" || a.Sinks[0] != "out" {
		t.Fatalf("digest %+v", a)
	}
	step(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) // the next Monday 09:00 HKT passed, no matches
	if len(pub.msgs) != 1 {
		t.Fatal("an empty week sent a digest")
	}
}
