package main_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// Redis Cluster tests: the binary against a cluster of three masters and three replicas
// the test starts itself (testenv.RedisCluster), with topics.partitions 6, and the test's
// MySQL (real, or the stand-in where one process suffices).

const clusterPartitions = 6

// clusterSetup starts the cluster and writes the example config with the test's prefix, six
// partitions and extra top-level YAML; vars point the binary at the cluster and the MySQL.
func clusterSetup(t *testing.T, extra string) (env testenv.Env, vars []string, dir, cfg string, c *testenv.Cluster) {
	t.Helper()
	env, vars = serverEnv(t)
	c = testenv.RedisCluster(t)
	vars = append([]string{"GROUPWATCH_REDIS_URL=redis+cluster://" + strings.Join(c.Addrs, ",")}, vars[1:]...)
	dir = t.TempDir()
	cfg = prefixedConfig(t, dir, env.Prefix)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	head := []byte("topics: {prefix: " + env.Prefix + "}")
	if !bytes.HasPrefix(b, head) {
		t.Fatalf("prefixedConfig no longer starts with %s", head)
	}
	b = append([]byte(fmt.Sprintf("topics: {prefix: %s, partitions: %d}\n%s", env.Prefix, clusterPartitions, extra)), b[len(head):]...)
	// A failover takes seconds: retries back off to 3 s at most, not 30, so tests end soon after.
	b = bytes.Replace(b, []byte("message_timeout: 5s}"), []byte("message_timeout: 5s, retry_max_interval: 3s}"), 1)
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return env, vars, dir, cfg, c
}

// The quickstart on a Redis Cluster with six partitions: the same alerts as on one Redis,
// once, again none on a second round; the partitions spread over the masters, and status
// lists them with the topic's sums.
func TestQuickstartOnRedisCluster(t *testing.T) {
	env, vars, dir, cfg, c := clusterSetup(t, "")
	posts := repoFile(t, "example/posts.jsonl")
	for round := 1; round <= 2; round++ {
		if r := run(t, dir, vars, "ingest", "--config", cfg, posts); r.code != 0 {
			t.Fatalf("ingest: exit %d\n%s", r.code, r.stderr)
		}
		if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, tail(r.stderr))
		}
		b, _ := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
		if got := alertLines(t, string(b)); strings.Join(got, "\n") != strings.Join(exampleAlerts, "\n") {
			t.Fatalf("round %d alerts:\n%s\nwant:\n%s", round, strings.Join(got, "\n"), strings.Join(exampleAlerts, "\n"))
		}
	}

	lines := bytes.Count(must(os.ReadFile(posts)), []byte("\n"))
	rep := status(t, dir, vars, cfg)
	raw := env.Prefix + ".posts.raw"
	masters := map[string]bool{}
	found := false
	for _, topic := range rep.Topics {
		if topic.Topic != raw {
			continue
		}
		found = true
		if len(topic.Partitions) != clusterPartitions || topic.Length != int64(2*lines) {
			t.Fatalf("status of %s: %d partitions, length %d; want %d and %d", raw, len(topic.Partitions), topic.Length, clusterPartitions, 2*lines)
		}
		used := 0
		for _, p := range topic.Partitions {
			if p.Length > 0 {
				used++
			}
			m, err := c.MasterOf(context.Background(), p.Topic)
			if err != nil {
				t.Fatal(err)
			}
			masters[m] = true
		}
		if used < 2 {
			t.Errorf("the posts went to %d of %d partitions", used, clusterPartitions)
		}
		if len(topic.Groups) != 1 || topic.Groups[0].Group != "normalize" || topic.Groups[0].Pending != 0 || topic.Groups[0].Lag != 0 {
			t.Errorf("status of %s: groups %+v", raw, topic.Groups)
		}
	}
	if !found {
		t.Fatalf("status lists no %s", raw)
	}
	if len(masters) < 2 {
		t.Errorf("six partitions are served by %d master(s); their hash tags should spread them", len(masters))
	}

	// The same streams with another partition count: refused, naming both.
	other := strings.Replace(string(must(os.ReadFile(cfg))), fmt.Sprintf("partitions: %d", clusterPartitions), "partitions: 3", 1)
	otherCfg := filepath.Join(dir, "three.yaml")
	if err := os.WriteFile(otherCfg, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, vars, "run", "--config", otherCfg, "--drain")
	if r.code == 0 || !strings.Contains(r.stderr, "says 3") || !strings.Contains(r.stderr, fmt.Sprintf("laid out with %d", clusterPartitions)) {
		t.Fatalf("run with 3 partitions over streams laid out with %d: exit %d\n%s", clusterPartitions, r.code, tail(r.stderr))
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestTwoProcessesKill9 on a Redis Cluster with six partitions: the same guarantees.
func TestTwoProcessesKill9OnRedisCluster(t *testing.T) {
	env, vars, dir, cfg, _ := clusterSetup(t, "")
	needsRealServers(t, env, "two pipeline processes share one database, and go-mysql-server loses writes made over concurrent connections")
	twoProcessesKill9(t, dir, vars, cfg, env.DB(t))
}

// A master is SIGKILLed mid-run; its replica is promoted and the pipeline, reconnecting,
// finishes. Redis replicates asynchronously: entries a master acknowledged but had not yet
// passed on are lost with it, and the test reports how many alerts that cost. With
// redis.wait_replicas 1 every publish waits for a replica, and nothing may be lost.
func TestRedisClusterMasterKilledMidRun(t *testing.T) {
	for _, tt := range []struct {
		name  string
		extra string
		exact bool // nothing may be lost
	}{
		{"asynchronous replication", "", false},
		{"wait_replicas 1", "redis: {wait_replicas: 1}\n", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, vars, dir, cfg, c := clusterSetup(t, tt.extra)
			posts := postCount(env, 5000, 600)
			input, want := genPosts(t, t.TempDir(), posts)
			db := env.DB(t)
			if r := run(t, dir, vars, "ingest", "--config", cfg, input); r.code != 0 {
				t.Fatalf("ingest: exit %d\n%s", r.code, r.stderr)
			}
			w := startPipeline(t, "worker", dir, vars, "run", "--config", cfg, "--drain", "--instance", "cluster-w")
			waitFor(t, 90*time.Second, "a quarter of the alerts", func() bool {
				if w.exited() {
					t.Fatalf("the worker exited early (code %d):\n%s", w.code, tail(w.stderr.String()))
				}
				return countRows(t, db, "SELECT COUNT(*) FROM alerts") >= len(want)/4
			})
			victim, err := c.MasterOf(context.Background(), env.Prefix+".posts.normalized.{"+env.Prefix+".p0}")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Kill(victim); err != nil {
				t.Fatal(err)
			}
			killed := time.Now()
			t.Logf("SIGKILL to master %s with %d posts and %d alerts stored", victim,
				countRows(t, db, "SELECT COUNT(*) FROM posts"), countRows(t, db, "SELECT COUNT(*) FROM alerts"))
			if err := c.WaitHealthy(context.Background(), 60*time.Second); err != nil {
				t.Fatalf("no failover: %v", err)
			}
			t.Logf("its replica took over %s after the kill", time.Since(killed).Round(time.Millisecond))
			if tt.exact {
				// The promoted replica has no replica of its own, so WAIT 1 cannot succeed on
				// the partitions it serves, which wait (retrying) until a replica is back:
				// the failed machine replaced, as an operator does.
				if err := c.Replace(context.Background(), victim); err != nil {
					t.Fatalf("replacing %s: %v", victim, err)
				}
				t.Logf("a new replica took %s's place %s after the kill", victim, time.Since(killed).Round(time.Millisecond))
			}
			if code := w.wait(t, 150*time.Second); code != 0 {
				t.Fatalf("the worker: exit %d\n%s", code, tail(w.stderr.String()))
			}
			t.Logf("the worker drained %s after the kill", time.Since(killed).Round(time.Millisecond))

			tl := measure(t, dir, vars, cfg, db, want, posts, tt.exact)
			tl.log(t)
			if tl.pending > 0 {
				t.Logf("pending after the drain: %s\nthe worker's log:\n%s", pendingOf(status(t, dir, vars, cfg)), w.stderr.String())
			}
			if tt.exact {
				tl.requireClean(t, maxDupPerKill)
				return
			}
			// Asynchronous replication may lose what the dead master had not passed on: the
			// loss is reported, not failed; everything else must hold.
			t.Logf("lost with the master (asynchronous replication): %d of %d posts not stored, %d of %d alerts not notified",
				tl.postsIn-tl.stored, tl.postsIn, tl.lost, len(want))
			if tl.pending > 0 || tl.unfinished > 0 {
				t.Errorf("%d entries pending and %d deliveries unfinished after the drain", tl.pending, tl.unfinished)
			}
		})
	}
}

// pendingOf names the streams, groups and consumers holding entries, for a failure message.
func pendingOf(rep pipeline.StatusReport) string {
	var out []string
	for _, topic := range rep.Topics {
		for _, p := range append([]pipeline.TopicStatus{topic}, topic.Partitions...) {
			for _, g := range p.Groups {
				for _, c := range g.Consumers {
					if c.Pending > 0 && len(topic.Partitions) == 0 || c.Pending > 0 && p.Topic != topic.Topic {
						out = append(out, fmt.Sprintf("%s/%s/%s: %d (idle %s)", p.Topic, g.Group, c.Name, c.Pending, c.Idle))
					}
				}
			}
		}
	}
	return strings.Join(out, "; ")
}
