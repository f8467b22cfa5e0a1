package streams

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
)

// PublisherConfig configures a Publisher. Zero values take the defaults named.
type PublisherConfig struct {
	// Client is the Redis connection; the Publisher never closes it.
	Client redis.UniversalClient
	// Marshaller writes entries. Default DefaultMarshaller.
	Marshaller Marshaller
	// Maxlens trims a topic to about this many entries (XADD MAXLEN ~); DefaultMaxlen is
	// for the other topics. 0: never trim.
	Maxlens       map[string]int64
	DefaultMaxlen int64
	// MaxBatch is the most messages sent in one pipeline (one round trip). Default 256. A
	// single Publish call larger than that is sent whole.
	MaxBatch int
	// MaxWait is how long a batch that is not full waits for more messages before it is
	// sent. Default 0: sent as soon as a pipeline is free; batches form from what arrives
	// while the other pipelines are in flight.
	MaxWait time.Duration
	// Pipelines is how many batches may be in flight at once. Default 2.
	Pipelines int
	// ResolveDepth is how many of a topic's last entries are searched, after a connection
	// failed between sending a pipeline and reading its replies, for the messages whose
	// outcome is unknown: found ones succeed, the others fail. Default 16 × MaxBatch.
	ResolveDepth int
	// WaitReplicas, above 0, makes each batch wait until this many replicas hold its
	// entries: a WAIT ends the pipeline on the master of each stream the batch writes to
	// (WAIT counts only its own connection's writes, so it rides in the same pipeline as the
	// XADDs). A call whose entries reached fewer replicas within WaitTimeout fails with
	// ErrTooFewReplicas; its entries were added, so publishing it again adds them twice.
	// Default 0: no wait, Redis's asynchronous replication.
	WaitReplicas int
	// WaitTimeout bounds that wait. Default 2 s.
	WaitTimeout time.Duration
}

// ErrTooFewReplicas: the entries were added, but fewer replicas than WaitReplicas
// acknowledged them within WaitTimeout.
var ErrTooFewReplicas = errors.New("too few replicas acknowledged the entries")

func (c *PublisherConfig) setDefaults() {
	if c.Marshaller == nil {
		c.Marshaller = DefaultMarshaller{}
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 256
	}
	if c.Pipelines <= 0 {
		c.Pipelines = 2
	}
	if c.ResolveDepth <= 0 {
		c.ResolveDepth = 16 * c.MaxBatch
	}
	if c.WaitTimeout <= 0 {
		c.WaitTimeout = 2 * time.Second
	}
}

// Publisher publishes messages to Redis streams. Concurrent Publish calls are coalesced
// into pipelined XADDs, each caller waiting for, and getting, the outcome of its own
// messages.
type Publisher struct {
	cfg    PublisherConfig
	logger watermill.LoggerAdapter

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*publishCall
	queued  int // messages in queue
	closed  bool
	workers sync.WaitGroup
}

var _ message.Publisher = (*Publisher)(nil)

// publishCall is one Publish call waiting for its batch.
type publishCall struct {
	topic  string
	values []map[string]any
	uuids  []string
	err    error
	done   chan struct{}
}

// NewPublisher checks cfg and starts the pipelines; logger may be nil.
func NewPublisher(cfg PublisherConfig, logger watermill.LoggerAdapter) (*Publisher, error) {
	cfg.setDefaults()
	if cfg.Client == nil {
		return nil, errors.New("streams: PublisherConfig.Client is nil")
	}
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	p := &Publisher{cfg: cfg, logger: logger}
	p.cond = sync.NewCond(&p.mu)
	for range cfg.Pipelines {
		p.workers.Add(1)
		go p.work()
	}
	return p, nil
}

// Publish adds messages to topic's stream and returns once Redis has answered for all of
// them: nil means every one is in the stream.
func (p *Publisher) Publish(topic string, messages ...*message.Message) error {
	if len(messages) == 0 {
		return nil
	}
	call := &publishCall{topic: topic, values: make([]map[string]any, len(messages)), uuids: make([]string, len(messages)), done: make(chan struct{})}
	for i, msg := range messages {
		v, err := p.cfg.Marshaller.Marshal(topic, msg)
		if err != nil {
			return fmt.Errorf("cannot marshal message %s: %w", msg.UUID, err)
		}
		call.values[i], call.uuids[i] = v, msg.UUID
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	p.queue = append(p.queue, call)
	p.queued += len(messages)
	p.mu.Unlock()
	p.cond.Signal()
	<-call.done
	if call.err != nil {
		return fmt.Errorf("cannot publish to %s: %w", topic, call.err)
	}
	return nil
}

// Close sends what is queued, then refuses new messages. It does not close the client.
func (p *Publisher) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	p.cond.Broadcast()
	p.workers.Wait()
	return nil
}

func (p *Publisher) work() {
	defer p.workers.Done()
	for {
		batch, ok := p.next()
		if !ok {
			return
		}
		p.send(batch)
	}
}

// next takes the calls of one batch from the queue, waiting for the first one (and, with
// MaxWait, for the batch to fill); false once closed and empty.
func (p *Publisher) next() ([]*publishCall, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for len(p.queue) == 0 {
			if p.closed {
				return nil, false
			}
			p.cond.Wait()
		}
		if p.cfg.MaxWait <= 0 || p.queued >= p.cfg.MaxBatch || p.closed {
			break
		}
		p.mu.Unlock()
		time.Sleep(p.cfg.MaxWait)
		p.mu.Lock()
		if len(p.queue) > 0 {
			break // else another pipeline took them meanwhile
		}
	}
	n, msgs := 0, 0
	for n < len(p.queue) && (n == 0 || msgs+len(p.queue[n].values) <= p.cfg.MaxBatch) {
		msgs += len(p.queue[n].values)
		n++
	}
	batch := make([]*publishCall, n)
	copy(batch, p.queue)
	clear(p.queue[:n])
	p.queue = p.queue[n:]
	p.queued -= msgs
	if len(p.queue) > 0 {
		p.cond.Signal()
	}
	return batch, true
}

func (p *Publisher) maxlen(topic string) int64 {
	if n, ok := p.cfg.Maxlens[topic]; ok {
		return n
	}
	return p.cfg.DefaultMaxlen
}

// send writes a batch in one pipeline (with WaitReplicas, one per master it writes to) and
// tells each call its outcome.
func (p *Publisher) send(batch []*publishCall) {
	ctx := context.Background()
	cmds := make([][]*redis.StringCmd, len(batch))
	pipes := p.pipelines(ctx, batch)
	for _, np := range pipes {
		for _, i := range np.calls {
			call := batch[i]
			maxlen := p.maxlen(call.topic)
			cmds[i] = make([]*redis.StringCmd, len(call.values))
			for j, v := range call.values {
				cmds[i][j] = np.pipe.XAdd(ctx, &redis.XAddArgs{Stream: call.topic, MaxLen: maxlen, Approx: maxlen > 0, Values: v})
			}
		}
		if p.cfg.WaitReplicas > 0 {
			np.wait = np.pipe.Do(ctx, "WAIT", p.cfg.WaitReplicas, p.cfg.WaitTimeout.Milliseconds())
		}
	}
	if len(pipes) == 1 {
		_, _ = pipes[0].pipe.Exec(ctx) // each command's outcome is read below
	} else {
		var wg sync.WaitGroup // one pipeline per master: they wait for their replicas at once
		for _, np := range pipes {
			wg.Go(func() { _, _ = np.pipe.Exec(ctx) })
		}
		wg.Wait()
	}
	present := map[string]map[string]bool{} // topic → UUIDs found there, for lost replies
	for _, np := range pipes {
		for _, i := range np.calls {
			call := batch[i]
			var unknown []int // sent, but the reply was lost: in the stream or not
			for j, cmd := range cmds[i] {
				err := cmd.Err()
				switch {
				case err == nil:
				case isReply(err):
					call.err = err // Redis refused it: certainly not written
				default:
					unknown = append(unknown, j)
					if call.err == nil {
						call.err = err
					}
				}
			}
			if len(unknown) > 0 && !isReply(call.err) {
				found, ok := present[call.topic]
				if !ok {
					found = p.lastUUIDs(call.topic)
					present[call.topic] = found
				}
				call.err = resolved(call, unknown, found)
			}
			if call.err == nil && np.wait != nil {
				call.err = p.replicated(np.wait)
			}
		}
	}
	for _, call := range batch {
		close(call.done)
	}
}

// nodePipeline is the part of a batch sent in one pipeline: the indexes of its calls, and
// the WAIT ending it.
type nodePipeline struct {
	pipe  redis.Pipeliner
	calls []int
	wait  *redis.Cmd
}

// pipelines splits a batch into pipelines: one for all of it, or with WaitReplicas on a
// Redis Cluster one per master of the streams it writes to. A call whose master cannot be
// found fails with that and is in none.
func (p *Publisher) pipelines(ctx context.Context, batch []*publishCall) []*nodePipeline {
	cluster, ok := p.cfg.Client.(*redis.ClusterClient)
	if p.cfg.WaitReplicas == 0 || !ok {
		all := &nodePipeline{pipe: p.cfg.Client.Pipeline(), calls: make([]int, len(batch))}
		for i := range batch {
			all.calls[i] = i
		}
		return []*nodePipeline{all}
	}
	var out []*nodePipeline
	byMaster := map[*redis.Client]*nodePipeline{}
	for i, call := range batch {
		master, err := cluster.MasterForKey(ctx, call.topic)
		if err != nil {
			call.err = fmt.Errorf("cannot find the master of %s: %w", call.topic, err)
			continue
		}
		np, ok := byMaster[master]
		if !ok {
			np = &nodePipeline{pipe: master.Pipeline()}
			byMaster[master] = np
			out = append(out, np)
		}
		np.calls = append(np.calls, i)
	}
	return out
}

// replicated is the outcome of a pipeline's WAIT: nil when enough replicas hold its entries.
func (p *Publisher) replicated(wait *redis.Cmd) error {
	n, err := wait.Int64()
	if err != nil {
		return fmt.Errorf("cannot wait for replicas: %w", err)
	}
	if n < int64(p.cfg.WaitReplicas) {
		return fmt.Errorf("%w: %d of %d within %s", ErrTooFewReplicas, n, p.cfg.WaitReplicas, p.cfg.WaitTimeout)
	}
	return nil
}

func isReply(err error) bool {
	var reply redis.Error
	return errors.As(err, &reply)
}

// resolved is the outcome of a call some of whose replies were lost, knowing the UUIDs
// found at the end of its stream (nil: Redis could not be asked): nil when every message
// is there; else the error, and the caller publishes again. A call of several messages
// some of which were written fails whole, and those are written twice.
func resolved(call *publishCall, unknown []int, found map[string]bool) error {
	if found == nil {
		return fmt.Errorf("%w (whether it was written is unknown: Redis did not answer again)", call.err)
	}
	for _, j := range unknown {
		if !found[call.uuids[j]] {
			return call.err
		}
	}
	return nil
}

// lastUUIDs reads the UUIDs of the last ResolveDepth entries of topic, waiting up to about
// 8 s for Redis to answer again; nil if it does not.
func (p *Publisher) lastUUIDs(topic string) map[string]bool {
	for wait := 250 * time.Millisecond; ; wait *= 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		entries, err := p.cfg.Client.XRevRangeN(ctx, topic, "+", "-", int64(p.cfg.ResolveDepth)).Result()
		cancel()
		if err == nil {
			found := make(map[string]bool, len(entries))
			for _, e := range entries {
				if id, ok := e.Values[UUIDField].(string); ok {
					found[id] = true
				}
			}
			return found
		}
		if wait > 4*time.Second {
			p.logger.Error("cannot check which messages were written after a lost reply", err, watermill.LogFields{"topic": topic})
			return nil
		}
		time.Sleep(wait)
	}
}
