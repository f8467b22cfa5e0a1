package main_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/redis/go-redis/v9"
)

// Fault tests: the binary against real MariaDB and Redis, with a process killed, Redis
// restarted, and entries no pipeline wrote. Each ends with the README's promises checked
// and a table of what it found (go test -v shows it).

// maxDupPerKill bounds the file sink's repeated lines after one SIGKILL: a kill between a
// write and its record repeats that write, and a process has at most notify=2 file
// consumers and one retrier writing at once.
const maxDupPerKill = 3

// Two processes share the work; one is SIGKILLed mid-run. The survivor claims the dead
// one's pending entries after claim_idle and its claimed deliveries after their lease, and
// drains: every post stored once, every alert stored once and notified, nothing pending.
func TestTwoProcessesKill9(t *testing.T) {
	env, vars := serverEnv(t)
	needsRealServers(t, env, "two pipeline processes share one database, and go-mysql-server loses writes made over concurrent connections")
	dir := t.TempDir()
	twoProcessesKill9(t, dir, vars, prefixedConfig(t, dir, env.Prefix), env.DB(t))
}

// twoProcessesKill9 is TestTwoProcessesKill9 on the servers vars name, with the config at cfg.
func twoProcessesKill9(t *testing.T, dir string, vars []string, cfg string, db *sql.DB) {
	t.Helper()
	const posts = 20000
	input, want := genPosts(t, t.TempDir(), posts)

	began := time.Now()
	if r := run(t, dir, vars, "ingest", "--config", cfg, input); r.code != 0 {
		t.Fatalf("ingest: exit %d\n%s", r.code, r.stderr)
	}
	a := startPipeline(t, "run a", dir, vars, "run", "--config", cfg, "--drain", "--instance", "fault-a")
	b := startPipeline(t, "run b", dir, vars, "run", "--config", cfg, "--drain", "--instance", "fault-b")

	// A quarter of the alerts: every stage, notify included, has work in hand.
	waitFor(t, 60*time.Second, "a quarter of the alerts", func() bool {
		return countRows(t, db, "SELECT COUNT(*) FROM alerts") >= len(want)/4
	})
	a.signal(t, syscall.SIGKILL)
	killed := time.Now()
	<-a.done
	held, sending := heldBy(t, dir, vars, cfg, "fault-a.")
	t.Logf("SIGKILL to run a after %s: %d posts stored; it held %d stream entries; %d deliveries in sending (by a or b)",
		killed.Sub(began).Round(time.Millisecond), countRows(t, db, "SELECT COUNT(*) FROM posts"), held, sending)

	// The survivor must finish: its pending entries claimed after claim_idle (2 s), its
	// claimed deliveries sent after their lease (message_timeout + 30 s) lapses.
	if code := b.wait(t, 90*time.Second); code != 0 {
		t.Fatalf("the survivor: exit %d\n%s", code, tail(b.stderr.String()))
	}
	t.Logf("the survivor drained %s after the kill", time.Since(killed).Round(time.Millisecond))
	again := time.Now()
	if r := run(t, dir, vars, "run", "--config", cfg, "--drain", "--instance", "fault-c"); r.code != 0 {
		t.Fatalf("run --drain after the survivor: exit %d\n%s", r.code, tail(r.stderr))
	}
	t.Logf("run --drain after the survivor took %s", time.Since(again).Round(time.Millisecond))

	c := outcome(t, dir, vars, cfg, db, want, posts)
	c.log(t)
	c.requireClean(t, maxDupPerKill)
	if c.poisoned > 0 {
		t.Errorf("%d entries poisoned; none was bad", c.poisoned)
	}
	if got := countRows(t, db, "SELECT COUNT(*) FROM deliveries WHERE status = 'sent'"); got != wantDeliveries(want) {
		t.Errorf("%d deliveries sent, want %d (console and file per alert of its rule)", got, wantDeliveries(want))
	}
}

// wantDeliveries counts the deliveries of the example rules: switch-bargains goes to the
// file, the others to the console and the file.
func wantDeliveries(want map[string]bool) int {
	n := 0
	for a := range want {
		n += 2
		if strings.HasPrefix(a, "switch-bargains ") {
			n--
		}
	}
	return n
}

// Redis stops (SIGTERM, append-only file flushed) and starts again mid-run: the running
// worker reconnects and finishes the work alone, a SIGTERM stops it cleanly, and a later
// run --drain finds nothing left.
func TestRedisRestartMidRun(t *testing.T) {
	env, vars := serverEnv(t)
	rs := startRedisServer(t)
	vars = append([]string{"GROUPWATCH_REDIS_URL=" + rs.url()}, vars[1:]...) // the test's MySQL, on its connections
	dir := t.TempDir()
	cfg := configWithoutSources(t, dir, env.Prefix)
	posts := postCount(env, 5000, 1000)
	input, want := genPosts(t, t.TempDir(), posts)
	db := env.DB(t)

	if r := run(t, dir, vars, "ingest", "--config", cfg, input); r.code != 0 {
		t.Fatalf("ingest: exit %d\n%s", r.code, r.stderr)
	}
	w := startPipeline(t, "worker", dir, vars, "run", "--config", cfg, "--instance", "fault-w")
	waitFor(t, 60*time.Second, "a quarter of the alerts", func() bool {
		return countRows(t, db, "SELECT COUNT(*) FROM alerts") >= len(want)/4
	})
	rs.stop(t)
	down := time.Now()
	t.Logf("redis stopped with %d posts and %d alerts stored", countRows(t, db, "SELECT COUNT(*) FROM posts"),
		countRows(t, db, "SELECT COUNT(*) FROM alerts"))
	time.Sleep(1500 * time.Millisecond) // long enough for every consumer to hit the outage
	rs.start(t)
	t.Logf("redis back after %s", time.Since(down).Round(time.Millisecond))

	// The worker alone must finish: every expected alert in the file sink.
	waitFor(t, 45*time.Second, "the worker to write every alert after the restart", func() bool {
		if w.exited() {
			t.Fatalf("the worker exited (code %d) after the restart:\n%s", w.code, tail(w.stderr.String()))
		}
		b, _ := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
		return strings.Count(string(b), "\n") >= len(want)
	})
	t.Logf("the worker wrote every alert %s after the restart", time.Since(down).Round(time.Millisecond))
	w.signal(t, syscall.SIGTERM)
	if code := w.wait(t, 45*time.Second); code != 0 {
		t.Fatalf("worker after SIGTERM: exit %d\n%s", code, tail(w.stderr.String()))
	}
	if n, example := nonJSONLines(w.stderr.String()); n > 0 {
		// go-redis logs through its own logger, not slog: reported, not failed on.
		t.Logf("the worker's log has %d lines that are not JSON, e.g. %q", n, example)
	}
	again := time.Now()
	if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
		t.Fatalf("run --drain after the restart: exit %d\n%s", r.code, tail(r.stderr))
	}
	if took := time.Since(again); took > 45*time.Second {
		t.Errorf("run --drain after the restart took %s", took.Round(time.Millisecond))
	}

	c := outcome(t, dir, vars, cfg, db, want, posts)
	c.log(t)
	c.requireClean(t, 0)
	if c.poisoned > 0 {
		t.Errorf("%d entries poisoned; none was bad", c.poisoned)
	}
}

// A foreign entry (fields no watermill wrote), and watermill envelopes whose metadata is
// not msgpack, whose payload is not JSON, or whose payload has an unknown version, in every
// topic the pipeline consumes: each lands in <topic>.poison with the reason, and the example
// posts after them make their alerts. An entry that is no groupwatch message at all is
// poisoned once per topic (by the topic's first group; alerts has one per sink type); one
// whose payload a group cannot read is poisoned by each group that read it.
func TestForeignEntryInEveryTopic(t *testing.T) {
	env, vars := serverEnv(t)
	dir := t.TempDir()
	cfg := prefixedConfig(t, dir, env.Prefix)                // with its source: the crawl stage runs
	appendConfig(t, cfg, "health: {sinks: [alerts-file]}\n") // and the health stage
	rdb := env.Redis(t)
	ctx := context.Background()

	// An empty run creates every consumer group; the topics with groups are those consumed.
	if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
		t.Fatalf("empty run: exit %d\n%s", r.code, tail(r.stderr))
	}
	// status lists every topic but shows no group of an empty stream: ask Redis.
	groups := map[string]int{} // topic → consumer groups (alerts: one notify stage per sink type)
	for _, topic := range status(t, dir, vars, cfg).Topics {
		if g, err := rdb.XInfoGroups(ctx, topic.Topic).Result(); err == nil && len(g) > 0 {
			groups[topic.Topic] = len(g)
		}
	}
	for _, name := range []string{"crawl.jobs", "posts.raw", "posts.normalized", "posts.matched", "sources.health", "alerts"} {
		if groups[env.Topic(name)] == 0 {
			t.Fatalf("no consumer group on %s; groups: %v", env.Topic(name), groups)
		}
	}

	bad := []badEntry{
		{"foreign", map[string]any{"hand": "written", "by": "someone else"}, "not a groupwatch message"},
		{"bad metadata", map[string]any{redisstream.UUIDHeaderKey: "bad-metadata", "metadata": "\xc1", "payload": "{}"}, "not a groupwatch message"},
		{"bad payload", map[string]any{redisstream.UUIDHeaderKey: "bad-payload", "payload": "{not json"}, "malformed payload"},
		{"unknown version", map[string]any{redisstream.UUIDHeaderKey: "unknown-version", "payload": `{"v":99}`}, "unknown payload version 99"},
	}
	for topic := range groups {
		for _, e := range bad {
			if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: topic, Values: e.values}).Err(); err != nil {
				t.Fatalf("XADD %s to %s: %v", e.kind, topic, err)
			}
		}
	}
	r := run(t, dir, vars, "run", "--config", cfg, "--ingest", repoFile(t, "example/posts.jsonl"), "--drain")
	if r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, tail(r.stderr))
	}

	poisoned := 0
	for topic, n := range groups {
		entries, err := rdb.XRange(ctx, topic+".poison", "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		poisoned += len(entries)
		foreign := countReason(bad, "not a groupwatch message")
		if want := foreign + (len(bad)-foreign)*n; len(entries) != want {
			t.Errorf("%s.poison holds %d entries, want %d (%d foreign entries once, %d bad payloads × %d groups)", topic, len(entries), want, foreign, len(bad)-foreign, n)
		}
		reasons := map[string]int{}
		var seen []string // each entry's handler and reason, for the failure message
		for _, e := range entries {
			msg, err := redisstream.DefaultMarshallerUnmarshaller{}.Unmarshal(e.Values)
			if err != nil {
				t.Errorf("%s.poison entry %s is not a watermill message: %v", topic, e.ID, err)
				continue
			}
			reason := msg.Metadata.Get(middleware.ReasonForPoisonedKey)
			if got := msg.Metadata.Get(middleware.PoisonedTopicKey); got != topic {
				t.Errorf("%s.poison entry %s names topic %q", topic, e.ID, got)
			}
			for _, b := range bad {
				if strings.Contains(reason, b.reason) {
					reasons[b.reason]++
					break
				}
			}
			seen = append(seen, msg.Metadata.Get(middleware.PoisonedHandlerKey)+": "+reason)
		}
		for _, b := range bad {
			want := countReason(bad, b.reason) * n
			if b.reason == "not a groupwatch message" {
				want = countReason(bad, b.reason) // poisoned by the topic's first group only
			}
			if reasons[b.reason] != want {
				reason := b.reason
				t.Errorf("%s.poison: %d entries with reason %q, want %d; it holds:\n%s", topic, reasons[reason], reason, want, strings.Join(seen, "\n"))
				break
			}
		}
	}

	want := map[string]bool{}
	for _, a := range exampleAlerts {
		want[a] = true
	}
	c := outcome(t, dir, vars, cfg, env.DB(t), want, 10) // 11 lines, one a repeat of 1002
	c.log(t)
	c.requireClean(t, 0)
	if c.poisoned != poisoned {
		t.Errorf("status counts %d poisoned entries, the poison topics hold %d", c.poisoned, poisoned)
	}
}

// badEntry is a stream entry the pipeline must poison, and the reason it must give.
type badEntry struct {
	kind   string
	values map[string]any
	reason string
}

func countReason(bad []badEntry, reason string) int {
	n := 0
	for _, b := range bad {
		if b.reason == reason {
			n++
		}
	}
	return n
}
