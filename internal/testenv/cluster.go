package testenv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of real redis-server processes on 127.0.0.1, started for one
// test: three masters, each with one replica, and a short node timeout so a killed master's
// replica takes over within seconds.
type Cluster struct {
	// Addrs are every node's host:port, masters first as created.
	Addrs []string

	dir   string
	mu    sync.Mutex
	procs map[string]*exec.Cmd
}

// clusterNodeTimeout is cluster-node-timeout: how long a master may be silent before its
// replica is promoted. Short, so fault tests finish quickly; long enough that a loaded CI
// machine does not fail a master over by mistake.
const clusterNodeTimeout = 2 * time.Second

// RedisCluster starts a cluster of 3 masters and 3 replicas and stops it when the test ends.
// It skips where redis-server or redis-cli is missing, except in CI (CI set), where it fails.
func RedisCluster(tb testing.TB) *Cluster {
	tb.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				tb.Fatalf("%s is not installed; CI needs it for the Redis Cluster tests", bin)
			}
			tb.Skipf("%s is not installed: the Redis Cluster tests need it", bin)
		}
	}
	c := &Cluster{dir: tb.TempDir(), procs: map[string]*exec.Cmd{}}
	tb.Cleanup(c.stop)
	ports, err := clusterPorts(6)
	if err != nil {
		tb.Fatalf("cannot find free ports for a Redis Cluster: %v", err)
	}
	for _, p := range ports {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
		if err := c.startNode(addr); err != nil {
			tb.Fatalf("cannot start cluster node %s: %v", addr, err)
		}
		c.Addrs = append(c.Addrs, addr)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitHealthy(context.Background(), 30*time.Second); err != nil {
		tb.Fatalf("the Redis Cluster did not come up: %v", err)
	}
	if err := c.waitReplicas(context.Background(), 30*time.Second); err != nil {
		tb.Fatalf("the Redis Cluster's replicas did not sync: %v", err)
	}
	return c
}

// waitReplicas waits until every master has an online replica, so a fault test starts
// from a cluster that can fail over.
func (c *Cluster) waitReplicas(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		synced := 0
		var last error
		for _, addr := range c.Addrs {
			rdb := redis.NewClient(&redis.Options{Addr: addr})
			info, err := rdb.Info(ctx, "replication").Result()
			rdb.Close()
			switch {
			case err != nil:
				last = fmt.Errorf("%s: %w", addr, err)
			case !strings.Contains(info, "role:master"):
			case strings.Contains(info, "state=online"):
				synced++
			default:
				last = fmt.Errorf("master %s has no online replica", addr)
			}
		}
		if last == nil && synced == 3 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of 3 masters have an online replica: %v", synced, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// clusterPorts picks n ports that are free along with their cluster bus ports (port+10000).
func clusterPorts(n int) ([]int, error) {
	var ports []int
	for tries := 0; len(ports) < n && tries < 200; tries++ {
		p := 20000 + rand.IntN(25000)
		if free(p) && free(p+10000) {
			ports = append(ports, p)
		}
	}
	if len(ports) < n {
		return nil, fmt.Errorf("found %d of %d", len(ports), n)
	}
	return ports, nil
}

func free(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func (c *Cluster) startNode(addr string) error {
	_, port, _ := net.SplitHostPort(addr)
	dir := filepath.Join(c.dir, port)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command("redis-server",
		"--port", port, "--bind", "127.0.0.1",
		"--cluster-enabled", "yes",
		"--cluster-config-file", filepath.Join(dir, "nodes.conf"),
		"--cluster-node-timeout", strconv.Itoa(int(clusterNodeTimeout/time.Millisecond)),
		"--dir", dir, "--save", "", "--appendonly", "no",
		"--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		return err
	}
	c.mu.Lock()
	c.procs[addr] = cmd
	c.mu.Unlock()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := rdb.Ping(context.Background()).Err(); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("not answering: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Client returns a cluster client on this cluster, closed when the test ends. go-redis
// reloads its slot map only every ClusterStateReloadInterval (60 s by default) or on MOVED,
// and a refused connection to a dead master is neither: the client here reloads every
// second, so it finds a promoted replica about as soon as the cluster does.
func (c *Cluster) Client(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs, ClusterStateReloadInterval: time.Second})
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}

// WaitHealthy waits until every live node reports cluster_state:ok and all 16384 slots
// served by a master that answers.
func (c *Cluster) WaitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		if last = c.healthy(ctx); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return last
}

func (c *Cluster) healthy(ctx context.Context) error {
	c.mu.Lock()
	addrs := make([]string, 0, len(c.procs))
	live := map[string]bool{}
	for addr := range c.procs {
		addrs = append(addrs, addr)
		live[addr] = true
	}
	c.mu.Unlock()
	for _, addr := range addrs {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		info, err := rdb.ClusterInfo(ctx).Result()
		rdb.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return fmt.Errorf("%s: cluster_state is not ok", addr)
		}
		if !strings.Contains(info, "cluster_slots_ok:16384") {
			return fmt.Errorf("%s: not every slot is served", addr)
		}
		// A node goes on reporting ok until it notices a dead master: the slot map must
		// name live masters only.
		rdb = redis.NewClient(&redis.Options{Addr: addr})
		slots, err := rdb.ClusterSlots(ctx).Result()
		rdb.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		for _, s := range slots {
			if len(s.Nodes) == 0 || !live[s.Nodes[0].Addr] {
				return fmt.Errorf("%s: slots %d-%d have no live master yet", addr, s.Start, s.End)
			}
		}
	}
	return nil
}

// MasterOf returns the address of the master serving key's slot.
func (c *Cluster) MasterOf(ctx context.Context, key string) (string, error) {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	defer rdb.Close()
	slot, err := rdb.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		return "", err
	}
	slots, err := rdb.ClusterSlots(ctx).Result()
	if err != nil {
		return "", err
	}
	for _, s := range slots {
		if int64(s.Start) <= slot && slot <= int64(s.End) && len(s.Nodes) > 0 {
			return s.Nodes[0].Addr, nil
		}
	}
	return "", fmt.Errorf("no master serves slot %d", slot)
}

// Kill sends SIGKILL to the node at addr, as a crash would, and waits for it to exit.
func (c *Cluster) Kill(addr string) error {
	c.mu.Lock()
	cmd, ok := c.procs[addr]
	delete(c.procs, addr)
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("no running node at %s", addr)
	}
	if err := cmd.Process.Kill(); err != nil {
		return err
	}
	_ = cmd.Wait() // a killed process reports "signal: killed"; that is what was asked for
	return nil
}

// Replace starts an empty node on a killed node's port, as an operator replacing a failed
// machine does, and adds it to the cluster as a replica of the master left without one. (A
// node restarted with its old nodes.conf and no data would claim its old slots for a moment,
// and clients reading the slot map from it then would send commands to an empty node.) It
// waits until every master has an online replica again.
func (c *Cluster) Replace(ctx context.Context, addr string) error {
	_, port, _ := net.SplitHostPort(addr)
	if err := os.RemoveAll(filepath.Join(c.dir, port)); err != nil {
		return err
	}
	if err := c.startNode(addr); err != nil {
		return err
	}
	var seed string
	for _, a := range c.Addrs {
		if a != addr {
			seed = a
			break
		}
	}
	if out, err := exec.CommandContext(ctx, "redis-cli", "--cluster", "add-node", addr, seed, "--cluster-slave").CombinedOutput(); err != nil {
		return fmt.Errorf("redis-cli --cluster add-node: %w\n%s", err, out)
	}
	return c.waitReplicas(ctx, 60*time.Second)
}

func (c *Cluster) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for addr, cmd := range c.procs {
		_ = cmd.Process.Kill() // the test is over; a node already gone is fine
		_ = cmd.Wait()
		delete(c.procs, addr)
	}
}
