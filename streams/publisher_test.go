package streams

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"
)

// cutProxy forwards TCP connections to Redis; it can swallow Redis's replies (the commands
// still arrive and run) and cut every connection, refusing new ones until restored.
type cutProxy struct {
	ln        net.Listener
	target    string
	swallow   atomic.Bool
	mu        sync.Mutex
	down      bool
	conns     []net.Conn
	accepting sync.WaitGroup
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	p.accepting.Add(1)
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.cut(); p.accepting.Wait() })
	return p
}

func (p *cutProxy) accept() {
	defer p.accepting.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(s, c); s.Close() }()
		go func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := s.Read(buf)
				if n > 0 && !p.swallow.Load() {
					if _, werr := c.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			c.Close()
		}()
	}
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
	p.swallow.Store(false)
}

// A connection cut between a pipeline of XADDs and its replies: every caller told nil has
// its message in the stream, every caller told an error has not. The publisher asks the
// stream, once Redis answers again, about the messages whose replies were lost.
func TestPublishOutcomesMatchTheStreamAfterACutConnection(t *testing.T) {
	newClient, prefix, _ := testRedis(t)
	direct := newClient(t)
	topic := prefix + ".cut"
	addr := direct.(*redis.Client).Options().Addr
	proxy := newCutProxy(t, addr)
	opts := *direct.(*redis.Client).Options()
	opts.Addr = proxy.ln.Addr().String()
	opts.ReadTimeout = 20 * time.Second // the reply is lost to the cut, not to a timeout
	viaProxy := redis.NewClient(&opts)
	defer viaProxy.Close()
	// One warm connection; the 20 publishes below share one pipeline on it (a new
	// connection's handshake would be swallowed too).
	pub, err := NewPublisher(PublisherConfig{Client: viaProxy, MaxBatch: 32, MaxWait: 50 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := pub.Publish(topic, message.NewMessage(watermill.NewUUID(), []byte("warm-up"))); err != nil {
		t.Fatal(err)
	}

	type outcome struct {
		uuid string
		err  error
	}
	var wg sync.WaitGroup
	results := make(chan outcome, 100)
	publish := func(n int) {
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := message.NewMessage(watermill.NewUUID(), []byte("x"))
				results <- outcome{m.UUID, pub.Publish(topic, m)}
			}()
		}
	}

	// Replies are swallowed: the XADDs run in Redis, their callers hear nothing.
	proxy.swallow.Store(true)
	publish(20)
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := direct.XLen(context.Background(), topic).Result()
		if err == nil && n == 21 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the swallowed XADDs did not reach Redis: %d entries, %v", n, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The connection is cut before any reply; for a while Redis cannot be reached at all,
	// and messages published meanwhile never reach it.
	proxy.cut()
	publish(5)
	time.Sleep(1500 * time.Millisecond)
	proxy.restore()
	wg.Wait()
	close(results)

	entries, err := direct.XRange(context.Background(), topic, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	inStream := map[string]int{}
	for _, e := range entries {
		inStream[e.Values[UUIDField].(string)]++
	}
	var ok, failed int
	for r := range results {
		switch {
		case r.err == nil && inStream[r.uuid] == 0:
			t.Errorf("message %s: Publish returned nil, but it is not in the stream", r.uuid)
		case r.err != nil && inStream[r.uuid] > 0:
			t.Errorf("message %s: Publish returned %v, but it is in the stream", r.uuid, r.err)
		case r.err == nil:
			ok++
		default:
			failed++
		}
	}
	t.Logf("%d publishes confirmed after the cut, %d failed (not written); %d entries", ok, failed, len(entries))
	if ok == 0 || failed == 0 {
		t.Errorf("want both outcomes exercised: %d confirmed, %d failed", ok, failed)
	}
}

// Concurrent publishes share pipelines, and each caller gets its own error: a message
// refused by Redis fails its own caller only.
func TestEachCallerGetsItsOwnError(t *testing.T) {
	newClient, prefix, _ := testRedis(t)
	client := newClient(t)
	good, bad := prefix+".good", prefix+".bad"
	if err := client.Set(context.Background(), bad, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	pub, err := NewPublisher(PublisherConfig{Client: client, MaxWait: 20 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			topic := good
			if i%4 == 0 {
				topic = bad
			}
			errs[i] = pub.Publish(topic, message.NewMessage(watermill.NewUUID(), nil))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (i%4 == 0) != (err != nil) {
			t.Errorf("publish %d: error %v", i, err)
		}
	}
	if n, _ := client.XLen(context.Background(), good).Result(); n != 30 {
		t.Errorf("%d entries in the good stream, want 30", n)
	}
}

// MAXLEN ~ trims as the watermill publisher did.
func TestPublisherTrims(t *testing.T) {
	newClient, prefix, real := testRedis(t)
	client := newClient(t)
	topic := prefix + ".trim"
	pub, err := NewPublisher(PublisherConfig{Client: client, DefaultMaxlen: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	for range 500 {
		if err := pub.Publish(topic, message.NewMessage(watermill.NewUUID(), nil)); err != nil {
			t.Fatal(err)
		}
	}
	n, err := client.XLen(context.Background(), topic).Result()
	if err != nil {
		t.Fatal(err)
	}
	// "~" lets real Redis keep up to a node's worth (100 entries by default) more.
	if limit := int64(10); n > limit && (!real || n > limit+100) {
		t.Fatalf("%d entries after 500 publishes with MAXLEN ~ 10", n)
	}
}
