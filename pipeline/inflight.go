package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// inflight counts the messages being handled. watermill's Router.Close can return while
// handlers still run (and the process would then close the store under them, leaving a
// delivery claimed but not recorded); shutdown waits on this count before it closes anything
// else.
type inflight struct {
	mu sync.Mutex
	n  int
}

func (f *inflight) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		f.mu.Lock()
		f.n++
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.n--
			f.mu.Unlock()
		}()
		return h(msg)
	}
}

// wait returns once no message is being handled, or when ctx ends.
func (f *inflight) wait(ctx context.Context) error {
	for {
		f.mu.Lock()
		n := f.n
		f.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
