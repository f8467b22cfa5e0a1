package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// inflight counts the messages being handled. watermill's Router.Close can return while
// handlers still run, and can even start a handler for a message dispatched at that instant
// (the process would then close the store under it, leaving a delivery claimed but not
// recorded). Shutdown first stops admitting messages (one dispatched late is refused before
// it does anything and stays pending in its stream), then waits on this count before it
// closes anything else.
type inflight struct {
	mu       sync.Mutex
	n        int
	stopping bool
}

// errStopping refuses a message dispatched after shutdown began: it stays pending.
var errStopping = errors.New("shutting down: message left pending for the next consumer")

// stop refuses every message from now on.
func (f *inflight) stop() {
	f.mu.Lock()
	f.stopping = true
	f.mu.Unlock()
}

func (f *inflight) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		f.mu.Lock()
		if f.stopping {
			f.mu.Unlock()
			return nil, errStopping
		}
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

// none is a drain check: no message is in hand in this process. The consumer groups alone
// can look caught up while a handler still holds a message whose entry is not pending (after
// a Redis failover lost the record of its delivery, or while it waits for the consumer that
// claimed its entry to finish) and may yet publish downstream.
func (f *inflight) none(context.Context) (bool, string, error) {
	f.mu.Lock()
	n := f.n
	f.mu.Unlock()
	if n > 0 {
		return false, fmt.Sprintf("%d messages in hand in this process", n), nil
	}
	return true, "", nil
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
