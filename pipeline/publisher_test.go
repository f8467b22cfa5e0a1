package pipeline_test

import (
	"os"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/internal/testenv"
	"groupwatch/store"
)

// recordingPublisher keeps what is published, for tests without Redis.
type recordingPublisher struct {
	mu   sync.Mutex
	msgs []*message.Message
	err  error
}

func (p *recordingPublisher) Publish(_ string, msgs ...*message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	p.msgs = append(p.msgs, msgs...)
	return nil
}

func (p *recordingPublisher) Close() error { return nil }

func newPublisher(t *testing.T, env testenv.Env) message.Publisher {
	t.Helper()
	pub, err := redisstream.NewPublisher(redisstream.PublisherConfig{Client: env.Redis(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func storeFor(t *testing.T, env testenv.Env) *store.Store {
	t.Helper()
	s := store.New(env.DB(t), store.Options{Writers: 1})
	t.Cleanup(s.Close)
	return s
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
