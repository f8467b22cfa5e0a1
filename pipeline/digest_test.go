package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/store"
)

type capturePublisher struct {
	mu   sync.Mutex
	msgs []*message.Message
}

func (p *capturePublisher) Publish(_ string, msgs ...*message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, msgs...)
	return nil
}
func (p *capturePublisher) Close() error { return nil }

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
	w := newDigestWatch(cfg, s, pub, Rules{IDs: ids}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	step := func(at time.Time) {
		clock = at
		w.now = func() time.Time { return at }
		w.lastLook = time.Time{}
		w.step(ctx)
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
	if err := json.Unmarshal(pub.msgs[0].Payload, &a); err != nil {
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
