package streams

import (
	"context"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/redis/go-redis/v9"
)

// acker gathers the ids of acked messages and acknowledges them with one XACK per batch:
// when batch ids are waiting, or interval after the first one arrived. A failed XACK keeps
// its ids for the next try; ids not acknowledged by the end stay pending in Redis (the entry
// is delivered again: at least once, never lost).
type acker struct {
	client       redis.UniversalClient
	topic, group string
	batch        int
	interval     time.Duration
	logger       watermill.LoggerAdapter
	onFlushed    func(ids []string)

	mu  sync.Mutex
	ids []string

	flushMu sync.Mutex // one XACK at a time, so ids are never acknowledged out of turn
	kick    chan struct{}
	full    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

func newAcker(client redis.UniversalClient, topic, group string, batch int, interval time.Duration, logger watermill.LoggerAdapter, onFlushed func([]string)) *acker {
	return &acker{
		client: client, topic: topic, group: group, batch: batch, interval: interval, logger: logger, onFlushed: onFlushed,
		kick: make(chan struct{}, 1), full: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
}

func (a *acker) add(id string) {
	a.mu.Lock()
	a.ids = append(a.ids, id)
	n := len(a.ids)
	a.mu.Unlock()
	if n == 1 {
		notify(a.kick)
	}
	if n >= a.batch {
		notify(a.full)
	}
}

func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (a *acker) run() {
	defer close(a.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	retry := 100 * time.Millisecond
	for {
		select {
		case <-a.kick:
		case <-a.full:
		case <-a.stop:
			return
		}
		timer.Reset(a.interval)
		select {
		case <-timer.C:
		case <-a.full:
			timer.Stop()
		case <-a.stop:
			timer.Stop()
			return
		}
		if err := a.flush(); err != nil {
			a.logger.Error("cannot acknowledge entries, will retry", err, watermill.LogFields{"retry_in": retry.String()})
			timer.Reset(retry)
			select {
			case <-timer.C:
			case <-a.stop:
				timer.Stop()
				return
			}
			retry = min(2*retry, 5*time.Second)
			notify(a.kick)
			continue
		}
		retry = 100 * time.Millisecond
	}
}

// flush sends every gathered id in one XACK.
func (a *acker) flush() error {
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	a.mu.Lock()
	ids := a.ids
	a.ids = nil
	a.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.client.XAck(ctx, a.topic, a.group, ids...).Err(); err != nil {
		a.mu.Lock()
		a.ids = append(ids, a.ids...)
		a.mu.Unlock()
		return err
	}
	if a.onFlushed != nil {
		a.onFlushed(ids)
	}
	return nil
}

// close stops the loop and sends what is left, trying a few times over about 3 s.
func (a *acker) close() {
	close(a.stop)
	<-a.done
	delay := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := a.flush()
		if err == nil {
			return
		}
		if attempt == 5 {
			a.mu.Lock()
			n := len(a.ids)
			a.mu.Unlock()
			a.logger.Error("cannot acknowledge entries at close: they stay pending and come back", err, watermill.LogFields{"entries": n})
			return
		}
		time.Sleep(delay)
		delay *= 2
	}
}
