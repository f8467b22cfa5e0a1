package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestRedisClusterFailsOver checks the harness the cluster tests stand on: six nodes come up
// as three masters with replicas, hash-tagged streams spread over them, and after a master is
// killed its replica serves the slot with what was replicated.
func TestRedisClusterFailsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six redis-server processes")
	}
	ctx := context.Background()
	c := RedisCluster(t)
	rdb := c.Client(t)

	masters := map[string]bool{}
	for p := 0; p < 6; p++ {
		key := fmt.Sprintf("{p%d}.posts.raw", p)
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []any{"n", p}}).Err(); err != nil {
			t.Fatalf("XADD %s: %v", key, err)
		}
		m, err := c.MasterOf(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		masters[m] = true
	}
	if len(masters) < 2 {
		t.Fatalf("six partitions landed on %d master(s); hash tags should spread them", len(masters))
	}

	key := "{p0}.posts.raw"
	victim, err := c.MasterOf(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	// WAIT, on the master itself, makes sure the entry reached the replica before it dies.
	node := redis.NewClient(&redis.Options{Addr: victim})
	if n, err := node.Do(ctx, "WAIT", 1, 2000).Int(); err != nil || n < 1 {
		t.Fatalf("the master of %s has no replica in sync: %d, %v", key, n, err)
	}
	node.Close()
	if err := c.Kill(victim); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(ctx, 30*time.Second); err != nil {
		t.Fatalf("no failover after killing %s: %v", victim, err)
	}
	var n int64
	deadline := time.Now().Add(15 * time.Second)
	for {
		if n, err = rdb.XLen(ctx, key).Result(); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("XLEN %s after failover: %v", key, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n != 1 {
		t.Fatalf("%s holds %d entries after failover, want the 1 replicated", key, n)
	}
	now, err := c.MasterOf(ctx, key)
	if err != nil || now == victim {
		t.Fatalf("master of %s after failover: %q, %v (killed %s)", key, now, err, victim)
	}
}
