package pipeline_test

import (
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
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
