package streams

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
)

// SubscriberConfig configures a Subscriber. Zero values take the defaults named.
type SubscriberConfig struct {
	// Client is the Redis connection (a cluster client fits: every command of a
	// subscription names one stream). The Subscriber never closes it.
	Client redis.UniversalClient
	// Unmarshaller reads entries. Default DefaultMarshaller. An entry it cannot read is
	// logged and left pending: it comes back through a claim, and ShouldClaim can poison it.
	Unmarshaller Unmarshaller
	// ConsumerGroup is the group shared by every consumer of the stage. Required.
	ConsumerGroup string
	// Consumer names this consumer in its group. Default: a random name. A stable name lets
	// a restarted process take its own pending entries back at once (read with id 0 first)
	// instead of after ClaimIdle.
	Consumer string
	// OldestID is where a group created here starts. Default "0": the whole retained
	// stream.
	OldestID string
	// BatchSize is the most entries one XREADGROUP returns and one claim takes. Default 256.
	BatchSize int
	// MaxInFlight is the most messages of one subscription handed out and not yet acked or
	// nacked; reading waits below it. Default 2 × BatchSize.
	MaxInFlight int
	// BlockTime is how long one XREADGROUP waits for new entries; Close may wait that long
	// for the read in progress. Default 1s.
	BlockTime time.Duration
	// AckInterval is how long an ack may wait to share one XACK with others (a full batch is
	// sent at once). Default 5ms.
	AckInterval time.Duration
	// NackDelay is how long a nacked message waits before it is handed out again; it doubles
	// with each nack of the same message, up to MaxNackDelay. Defaults 250ms and 10s. The
	// entry stays pending with this consumer meanwhile.
	NackDelay, MaxNackDelay time.Duration
	// ClaimInterval is how often entries left pending by silent consumers are looked for.
	// Default 5s.
	ClaimInterval time.Duration
	// ClaimIdle is how long an entry sits unacknowledged before another consumer may claim
	// it. Default 60s.
	ClaimIdle time.Duration
	// ShouldClaim, when set, is asked about each entry idle past ClaimIdle (with its
	// consumer and delivery count) before it is claimed; false leaves it (the hook may have
	// dealt with it, e.g. poisoned an entry delivered too often).
	ShouldClaim func(redis.XPendingExt) bool
	// CloseTimeout is how long Close waits for handed-out messages to be acked or nacked
	// (their acks are then flushed); any still unfinished stay pending. Default 30s.
	CloseTimeout time.Duration
}

func (c *SubscriberConfig) setDefaults() {
	if c.Unmarshaller == nil {
		c.Unmarshaller = DefaultMarshaller{}
	}
	if c.Consumer == "" {
		c.Consumer = watermill.NewShortUUID()
	}
	if c.OldestID == "" {
		c.OldestID = "0"
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 256
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 2 * c.BatchSize
	}
	if c.BlockTime <= 0 {
		c.BlockTime = time.Second
	}
	if c.AckInterval <= 0 {
		c.AckInterval = 5 * time.Millisecond
	}
	if c.NackDelay <= 0 {
		c.NackDelay = 250 * time.Millisecond
	}
	if c.MaxNackDelay < c.NackDelay {
		c.MaxNackDelay = max(10*time.Second, c.NackDelay)
	}
	if c.ClaimInterval <= 0 {
		c.ClaimInterval = 5 * time.Second
	}
	if c.ClaimIdle <= 0 {
		c.ClaimIdle = 60 * time.Second
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = 30 * time.Second
	}
}

func (c *SubscriberConfig) validate() error {
	if c.Client == nil {
		return errors.New("streams: SubscriberConfig.Client is nil")
	}
	if c.ConsumerGroup == "" {
		return errors.New("streams: SubscriberConfig.ConsumerGroup is empty (fan-out without a group is not supported)")
	}
	return nil
}

// ErrClosed is returned by Subscribe and Publish after Close.
var ErrClosed = errors.New("streams: closed")

// errUnreadable stands for an unmarshaller that panicked on an entry.
var errUnreadable = errors.New("unreadable stream entry")

// Subscriber reads a Redis stream through a consumer group in batches and hands every entry
// to the caller as a watermill message, many at once: the router runs each in its own
// goroutine, so a batch is processed concurrently. Acks are gathered into one XACK per batch
// or AckInterval; a nack leaves the entry pending and hands the message out again after a
// growing delay. Only acked messages are ever acknowledged in Redis.
type Subscriber struct {
	cfg    SubscriberConfig
	logger watermill.LoggerAdapter

	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	subs    sync.WaitGroup
}

var (
	_ message.Subscriber           = (*Subscriber)(nil)
	_ message.SubscribeInitializer = (*Subscriber)(nil)
)

// NewSubscriber checks cfg and returns a Subscriber; logger may be nil.
func NewSubscriber(cfg SubscriberConfig, logger watermill.LoggerAdapter) (*Subscriber, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	return &Subscriber{cfg: cfg, logger: logger, closing: make(chan struct{})}, nil
}

// Consumer is this subscriber's consumer name.
func (s *Subscriber) Consumer() string { return s.cfg.Consumer }

// SubscribeInitialize creates the consumer group (and the stream) if missing.
func (s *Subscriber) SubscribeInitialize(topic string) error {
	return s.createGroup(context.Background(), topic)
}

func (s *Subscriber) createGroup(ctx context.Context, topic string) error {
	err := s.cfg.Client.XGroupCreateMkStream(ctx, topic, s.cfg.ConsumerGroup, s.cfg.OldestID).Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("cannot create consumer group %s on %s: %w", s.cfg.ConsumerGroup, topic, err)
	}
	return nil
}

// Subscribe starts consuming topic until ctx ends or Close. The channel closes once every
// message handed out was acked or nacked (or CloseTimeout passed) and the acks were sent.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.subs.Add(1)
	s.mu.Unlock()
	if err := s.createGroup(ctx, topic); err != nil {
		s.subs.Done()
		return nil, err
	}
	sub := newSubscription(s, topic)
	go func() {
		select {
		case <-ctx.Done():
		case <-s.closing:
		}
		sub.halt()
	}()
	go func() {
		defer s.subs.Done()
		sub.run()
	}()
	return sub.out, nil
}

// Close stops every subscription: nothing more is read or handed out, messages not yet
// handed out stay pending, handed-out ones get CloseTimeout to finish and their acks are
// flushed. It does not close the client.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	s.subs.Wait()
	return nil
}

// subscription is one Subscribe call: one stream, one reader, one claimer, one acker.
type subscription struct {
	cfg    *SubscriberConfig
	logger watermill.LoggerAdapter
	s      *Subscriber
	topic  string
	out    chan *message.Message

	stopOnce sync.Once
	stop     chan struct{}      // closed when the subscription ends
	ctx      context.Context    // Redis calls and message contexts; cancelled at stop
	cancel   context.CancelFunc // cancels ctx
	abandon  chan struct{}      // closed CloseTimeout after stop: stop waiting for acks

	slots  chan struct{} // one token per message in flight
	acks   *acker
	handed sync.WaitGroup // messages handed out, until acked, nacked at stop, or abandoned

	mu   sync.Mutex
	held map[string]struct{} // entries read here and not yet acknowledged in Redis
}

func newSubscription(s *Subscriber, topic string) *subscription {
	ctx, cancel := context.WithCancel(context.Background())
	sub := &subscription{
		cfg: &s.cfg, logger: s.logger.With(watermill.LogFields{"topic": topic, "consumer": s.cfg.Consumer}),
		s: s, topic: topic, out: make(chan *message.Message),
		stop: make(chan struct{}), ctx: ctx, cancel: cancel, abandon: make(chan struct{}),
		slots: make(chan struct{}, s.cfg.MaxInFlight),
		held:  map[string]struct{}{},
	}
	sub.acks = newAcker(s.cfg.Client, topic, s.cfg.ConsumerGroup, s.cfg.BatchSize, s.cfg.AckInterval, sub.logger, sub.unhold)
	return sub
}

// halt ends the subscription: message contexts are cancelled at once (watermill's
// contract), handed-out messages still get CloseTimeout to be acked.
func (sub *subscription) halt() {
	sub.stopOnce.Do(func() {
		close(sub.stop)
		sub.cancel()
		time.AfterFunc(sub.cfg.CloseTimeout, func() { close(sub.abandon) })
	})
}

func (sub *subscription) stopped() bool {
	select {
	case <-sub.stop:
		return true
	default:
		return false
	}
}

func (sub *subscription) run() {
	go sub.acks.run()
	claimed := make(chan struct{})
	go func() {
		defer close(claimed)
		sub.claimLoop()
	}()
	sub.readLoop()
	<-claimed
	sub.handed.Wait()
	sub.acks.close()
	close(sub.out)
}

// readLoop reads this consumer's own pending entries first (id 0: what a previous run under
// the same name left unacknowledged), then new ones (>), each read as large as the free
// in-flight slots allow.
func (sub *subscription) readLoop() {
	id := "0"
	retry := 100 * time.Millisecond
	for {
		n, ok := sub.acquire(sub.cfg.BatchSize)
		if !ok {
			return
		}
		block := sub.cfg.BlockTime
		if id != ">" {
			block = -1 // history is answered at once
		}
		res, err := sub.cfg.Client.XReadGroup(sub.ctx, &redis.XReadGroupArgs{
			Group: sub.cfg.ConsumerGroup, Consumer: sub.cfg.Consumer,
			Streams: []string{sub.topic, id}, Count: int64(n), Block: block,
		}).Result()
		if errors.Is(err, redis.Nil) {
			sub.release(n)
			continue
		}
		if err != nil {
			sub.release(n)
			if sub.stopped() {
				return
			}
			sub.logger.Error("cannot read stream", err, watermill.LogFields{"retry_in": retry.String()})
			if strings.HasPrefix(err.Error(), "NOGROUP") {
				// The stream or group went away (deleted, or Redis lost its data): the
				// subscription names it, so it is created again, empty.
				_ = sub.s.createGroup(sub.ctx, sub.topic)
			}
			if !sub.sleep(retry) {
				return
			}
			retry = min(2*retry, 5*time.Second)
			continue
		}
		retry = 100 * time.Millisecond
		var entries []redis.XMessage
		if len(res) > 0 {
			entries = res[0].Messages
		}
		sub.release(n - len(entries))
		if id != ">" {
			if len(entries) == 0 {
				id = ">"
				continue
			}
			id = entries[len(entries)-1].ID
		}
		for i, e := range entries {
			if !sub.dispatch(e) {
				sub.release(len(entries) - i - 1)
				return
			}
		}
	}
}

// acquire takes between 1 and want in-flight slots, waiting for the first; false once the
// subscription stopped.
func (sub *subscription) acquire(want int) (int, bool) {
	select {
	case sub.slots <- struct{}{}:
	case <-sub.stop:
		return 0, false
	}
	n := 1
	for n < want {
		select {
		case sub.slots <- struct{}{}:
			n++
		default:
			return n, true
		}
	}
	return n, true
}

func (sub *subscription) release(n int) {
	for range n {
		<-sub.slots
	}
}

func (sub *subscription) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-sub.stop:
		return false
	}
}

// dispatch hands one entry out, holding one slot, and watches for its ack or nack; false
// when the subscription stopped first (the entry stays pending, its slot is released).
func (sub *subscription) dispatch(e redis.XMessage) bool {
	if e.Values == nil {
		// Deleted (trimmed) while pending: nothing left to do, only the PEL to clean.
		sub.acks.add(e.ID)
		sub.release(1)
		return true
	}
	msg, err := unmarshal(sub.cfg.Unmarshaller, e.Values)
	if err != nil {
		sub.logger.Error("cannot read stream entry: left pending", err, watermill.LogFields{"entry": e.ID})
		sub.release(1)
		return true
	}
	if sub.stopped() {
		sub.release(1)
		return false
	}
	sub.mu.Lock()
	_, twice := sub.held[e.ID]
	sub.held[e.ID] = struct{}{}
	sub.mu.Unlock()
	if twice {
		// In hand already: the history read at start and a claim can both return an
		// entry claimed for this consumer meanwhile.
		sub.release(1)
		return true
	}
	ctx, cancel := context.WithCancel(context.WithValue(sub.ctx, entryKey{}, sub.entry(e.ID)))
	msg.SetContext(ctx)
	select {
	case sub.out <- msg:
	case <-sub.stop:
		cancel()
		sub.unhold([]string{e.ID})
		sub.release(1)
		return false
	}
	sub.handed.Add(1)
	go sub.await(e.ID, msg, cancel)
	return true
}

// await waits for the outcome of a handed-out message: an ack joins the next XACK; a nack
// hands it out again after a delay, unless the subscription stopped (it stays pending).
func (sub *subscription) await(id string, msg *message.Message, cancel context.CancelFunc) {
	defer sub.handed.Done()
	nacks := 0
	for {
		select {
		case <-msg.Acked():
			cancel()
			sub.acks.add(id)
			sub.release(1)
			return
		case <-msg.Nacked():
			cancel()
			nacks++
			if !sub.sleep(nackDelay(sub.cfg, nacks)) {
				sub.leave(id)
				return
			}
			msg = msg.Copy()
			var ctx context.Context
			ctx, cancel = context.WithCancel(context.WithValue(sub.ctx, entryKey{}, sub.entry(id)))
			msg.SetContext(ctx)
			select {
			case sub.out <- msg:
			case <-sub.stop:
				cancel()
				sub.leave(id)
				return
			}
		case <-sub.abandon:
			cancel()
			sub.logger.Info("message not finished at close: left pending", watermill.LogFields{"entry": id})
			sub.leave(id)
			return
		}
	}
}

// leave gives up an entry without acknowledging it: it stays pending in Redis.
func (sub *subscription) leave(id string) {
	sub.unhold([]string{id})
	sub.release(1)
}

func (sub *subscription) unhold(ids []string) {
	sub.mu.Lock()
	for _, id := range ids {
		delete(sub.held, id)
	}
	sub.mu.Unlock()
}

func (sub *subscription) holds(id string) bool {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	_, ok := sub.held[id]
	return ok
}

func nackDelay(cfg *SubscriberConfig, nacks int) time.Duration {
	d := cfg.NackDelay
	for i := 1; i < nacks && d < cfg.MaxNackDelay; i++ {
		d *= 2
	}
	return min(d, cfg.MaxNackDelay)
}

// Entry is the stream entry a handed-out message was read from.
type Entry struct {
	Stream, Group, Consumer string
	// ID is the entry's id, as XPENDING, XCLAIM and XACK name it.
	ID string
}

type entryKey struct{}

func (sub *subscription) entry(id string) Entry {
	return Entry{Stream: sub.topic, Group: sub.cfg.ConsumerGroup, Consumer: sub.cfg.Consumer, ID: id}
}

// EntryOf returns the stream entry behind a message this package handed out, from the
// message's context (the router's handlers see it too); false for any other context.
func EntryOf(ctx context.Context) (Entry, bool) {
	e, ok := ctx.Value(entryKey{}).(Entry)
	return e, ok
}
