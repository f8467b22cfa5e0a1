package pipeline

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/internal/testenv"
	"groupwatch/leader"
)

// On a Redis Cluster every key that is not a stream is under Topics.Keys(), one hash slot:
// the scheduler's lease, ticks and in-flight marks (a script over two keys), the delayed
// queue, the pace slots of a source and its account (a script over both) and the leader's
// lease all work, where keys in different slots would fail with CROSSSLOT.
func TestCoordinationKeysOnARedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six redis-server processes")
	}
	c := testenv.RedisCluster(t)
	rdb := c.Client(t)
	ctx := context.Background()
	cfg := &config.Config{Redis: config.Redis{URL: "redis+cluster://" + c.Addrs[0]}, Topics: config.Topics{Prefix: "gw", Partitions: 6}}
	keys := TopicsOf(cfg).Keys()
	if keys != "{gw}." {
		t.Fatalf("Keys() = %q on a cluster", keys)
	}

	var published []crawl.Job
	now := time.Date(2026, 11, 29, 10, 0, 30, 0, time.UTC)
	sched := &crawl.Scheduler{
		Redis: rdb, Prefix: keys, Instance: "a", Interval: time.Millisecond,
		Sources: []config.Source{{Name: "forum", Every: time.Hour}},
		Publish: func(_ context.Context, job crawl.Job) error { published = append(published, job); return nil },
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:     func() time.Time { return now },
	}
	for range 2 { // the first step takes the lease and plans; the second, an hour on, publishes
		if err := sched.Step(ctx); err != nil {
			t.Fatalf("scheduler step on a cluster: %v", err)
		}
		now = now.Add(time.Hour)
	}
	if len(published) != 1 {
		t.Fatalf("published %d jobs, want the due tick's", len(published))
	}
	inflight := crawl.Inflight{Redis: rdb, Prefix: keys}
	if held, err := inflight.Hold(ctx, crawl.Job{ID: "forum@manual", Source: "forum"}); err != nil || held != published[0].ID {
		t.Fatalf("Hold while the scheduled job is in flight: %q, %v", held, err)
	}
	delayed := crawl.DelayQueue{Redis: rdb, Prefix: keys}
	if err := delayed.Add(ctx, published[0], time.Now()); err != nil {
		t.Fatal(err)
	}
	if due, err := delayed.Due(ctx, time.Now().Add(time.Second), 10); err != nil || len(due) != 1 {
		t.Fatalf("delayed queue on a cluster: %d due, %v", len(due), err)
	}
	pace := &crawl.RedisLimiter{Redis: rdb, Prefix: keys}
	if err := pace.WaitFor(ctx, time.Millisecond, "source:forum", "account:main"); err != nil {
		t.Fatalf("pace slots of a source and its account on a cluster: %v", err)
	}
	lease := leader.Lease{Redis: rdb, Key: keys + "leader.lease", Instance: "a"}
	if ok, err := lease.Take(ctx); err != nil || !ok {
		t.Fatalf("leader lease: %v, %v", ok, err)
	}
	if ok, err := lease.Renew(ctx); err != nil || !ok {
		t.Fatalf("leader lease renewal: %v, %v", ok, err)
	}
	if err := checkPartitions(ctx, rdb, TopicsOf(cfg)); err != nil {
		t.Fatal(err)
	}
}
