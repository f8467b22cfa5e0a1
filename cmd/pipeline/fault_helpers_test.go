package main_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/pipeline"
)

// genSource is the source of every generated post: the posts table holds nothing else.
const genSource = "fb:fault-gen"

// genPosts writes n posts as JSON lines to dir/posts.jsonl. One post in 50 is built to
// match exactly one of the example rules (in turn), one in 50 is a near miss (a negated
// term, half of an AND, a word boundary not met), the rest match nothing. It returns the
// file and the alerts the example rules must make, as "rule source/external_id".
func genPosts(t *testing.T, dir string, n int) (string, map[string]bool) {
	t.Helper()
	hits := [][]string{
		{"iphone-deals", "出售 二手 iPhone 15 128GB，九成新 #%d", "Selling my Ｉｐｈｏｎｅ　１５, barely used, cheap! #%d"},
		{"brand-complaints", "ACME charged me twice, I want a refund (order %d)", "Acme客服態度很差，我要投訴 %d"},
		{"switch-bargains", "Nintendo Switch for sale, lot %d", "任天堂 Switch OLED 出售 %d"},
	}
	misses := []string{
		"iPhone 15 screen broken, cheap %d",     // negated term
		"anyone tried the iphone 150? cheap %d", // word boundary
		"Acme's new release is great %d",        // half of an AND
		"is the switchboard open %d",            // word boundary
	}
	var b bytes.Buffer
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("p-%05d", i)
		var text string
		switch i % 50 {
		case 0:
			h := hits[(i/50)%len(hits)]
			text = fmt.Sprintf(h[1+(i/150)%2], i)
			want[h[0]+" "+genSource+"/"+id] = true
		case 25:
			text = fmt.Sprintf(misses[(i/50)%len(misses)], i)
		default:
			if i%2 == 0 {
				text = fmt.Sprintf("post %d: the weather is nice today", i)
			} else {
				text = fmt.Sprintf("今天天氣很好，第%d篇", i)
			}
		}
		line, _ := json.Marshal(map[string]string{"source": genSource, "external_id": id, "author": "gen", "text": text})
		b.Write(append(line, '\n'))
	}
	p := filepath.Join(dir, "posts.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, want
}

// configWithoutSources is prefixedConfig without the example's crawled source: a worker
// running without --drain would crawl it and add posts the test did not generate.
func configWithoutSources(t *testing.T, dir, prefix string) string {
	t.Helper()
	p := prefixedConfig(t, dir, prefix)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := bytes.Cut(b, []byte("\nsources:"))
	if !ok {
		t.Fatal("the example config has no sources section to remove")
	}
	if err := os.WriteFile(p, append(head, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// appendConfig adds top-level YAML to the config file at path.
func appendConfig(t *testing.T, path, yaml string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + yaml); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tail is the end of a log, for failure messages.
func tail(s string) string {
	const keep = 3000
	if len(s) > keep {
		return "…" + s[len(s)-keep:]
	}
	return s
}

// proc is a process of the test's, killed when the test ends if still running.
type proc struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{}
	code           int
}

// start starts a process in dir; env is added to a clean environment when not nil.
func start(t *testing.T, name, dir string, env []string, path string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Dir = dir
	if env != nil {
		p.cmd.Env = append(baseEnv(), env...)
	}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("cannot start %s: %v", name, err)
	}
	go func() {
		err := p.cmd.Wait()
		p.code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
		} else if err != nil {
			p.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// startPipeline starts the binary with args.
func startPipeline(t *testing.T, name, dir string, env []string, args ...string) *proc {
	t.Helper()
	return start(t, name, dir, env, binary, args...)
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait returns the exit code, failing the test if the process runs longer than limit.
func (p *proc) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(limit):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("%s still running after %s; its log:\n%s", p.name, limit, tail(p.stderr.String()))
		return -1
	}
}

// signal sends sig, failing the test if the process has already exited: the fault would
// then have come too late to test anything.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if p.exited() {
		t.Fatalf("%s exited (code %d) before it could be sent %v: the fault came too late\n%s", p.name, p.code, sig, tail(p.stderr.String()))
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("cannot send %v to %s: %v", sig, p.name, err)
	}
}

// nonJSONLines counts the lines of a log that are not JSON objects, and returns the first.
func nonJSONLines(log string) (int, string) {
	n, first := 0, ""
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if line != "" && json.Unmarshal([]byte(line), &m) != nil {
			if n == 0 {
				first = line
			}
			n++
		}
	}
	return n, first
}

// waitFor polls cond every 20 ms until it holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func countRows(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// tally is what a fault test found at its end, printed as a table.
type tally struct {
	postsIn    int // distinct posts published
	stored     int // rows in posts
	alerts     int // rows in alerts
	notified   int // distinct alerts in the file sink
	duplicates int // file sink lines beyond one per alert
	lost       int // expected alerts missing from the file sink
	pending    int // stream entries pending in any consumer group
	unfinished int // deliveries neither sent nor dead
	poisoned   int // entries in the poison topics
}

func (c tally) log(t *testing.T) {
	t.Helper()
	t.Logf("\n%-9s %-7s %-7s %-13s %-10s %-5s %-8s %-22s %s\n%-9d %-7d %-7d %-13d %-10d %-5d %-8d %-22d %d",
		"posts in", "stored", "alerts", "notifications", "duplicates", "lost", "pending", "unfinished deliveries", "poisoned",
		c.postsIn, c.stored, c.alerts, c.notified, c.duplicates, c.lost, c.pending, c.unfinished, c.poisoned)
}

// outcome measures what the pipeline left behind: the tables, the file sink and
// `pipeline status --json`. want is the expected alerts, as "rule source/external_id".
func outcome(t *testing.T, dir string, vars []string, cfg string, db *sql.DB, want map[string]bool, postsIn int) tally {
	t.Helper()
	return measure(t, dir, vars, cfg, db, want, postsIn, true)
}

// measure is outcome; with strict false, alerts missing from the table are counted (as
// lost, in the file sink) rather than failing the test: for faults that may lose entries.
func measure(t *testing.T, dir string, vars []string, cfg string, db *sql.DB, want map[string]bool, postsIn int, strict bool) tally {
	t.Helper()
	c := tally{postsIn: postsIn}
	c.stored = countRows(t, db, "SELECT COUNT(*) FROM posts")
	if distinct := countRows(t, db, "SELECT COUNT(DISTINCT source, external_id) FROM posts"); distinct != c.stored {
		t.Errorf("posts: %d rows but %d distinct (source, external_id)", c.stored, distinct)
	}

	rows, err := db.Query(`SELECT r.name, p.source, p.external_id FROM alerts a
		JOIN rules r ON r.id = a.rule_id JOIN posts p ON p.id = a.post_id`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for rows.Next() {
		var rule, source, ext string
		if err := rows.Scan(&rule, &source, &ext); err != nil {
			t.Fatal(err)
		}
		stored[rule+" "+source+"/"+ext]++
	}
	rows.Close()
	c.alerts = countRows(t, db, "SELECT COUNT(*) FROM alerts")
	if c.alerts != len(want) && strict {
		t.Errorf("alerts table holds %d rows, want %d", c.alerts, len(want))
	}
	if d := diff(want, stored); d != "" && (strict || strings.Contains(d, "unexpected") || strings.Contains(d, " times: ")) {
		t.Errorf("alerts table differs from the expected alerts:\n%s", d)
	}

	lines, err := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	written := map[string]int{}
	for _, a := range alertLines(t, string(lines)) {
		written[a]++
	}
	for a, n := range written {
		if !want[a] {
			t.Errorf("file sink holds an alert nobody expected: %s", a)
		}
		c.notified++
		c.duplicates += n - 1
	}
	for a := range want {
		if written[a] == 0 {
			c.lost++
		}
	}

	rep := status(t, dir, vars, cfg)
	for _, topic := range rep.Topics {
		if strings.HasSuffix(topic.Topic, ".poison") {
			c.poisoned += int(topic.Length)
		}
		for _, g := range topic.Groups {
			c.pending += int(g.Pending)
		}
	}
	for _, s := range []string{"pending", "sending", "failed"} {
		c.unfinished += int(rep.Deliveries[s])
	}
	return c
}

// diff lists what differs between the expected set and the counted rows.
func diff(want map[string]bool, got map[string]int) string {
	var out []string
	for k := range want {
		if got[k] == 0 {
			out = append(out, "missing: "+k)
		}
	}
	for k, n := range got {
		switch {
		case !want[k]:
			out = append(out, fmt.Sprintf("unexpected: %s (%d)", k, n))
		case n > 1:
			out = append(out, fmt.Sprintf("%d times: %s", n, k))
		}
	}
	sort.Strings(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("… and %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

// status is `pipeline status --json`.
func status(t *testing.T, dir string, vars []string, cfg string) pipeline.StatusReport {
	t.Helper()
	r := run(t, dir, vars, "status", "--config", cfg, "--json")
	if r.code != 0 {
		t.Fatalf("status: exit %d\n%s", r.code, r.stderr)
	}
	var rep pipeline.StatusReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("status --json is not a report: %v\n%s", err, r.stdout)
	}
	return rep
}

// heldBy says how many stream entries the consumers named with prefix hold, and how many
// deliveries are claimed for sending (by anyone: the table does not say who).
func heldBy(t *testing.T, dir string, vars []string, cfg, prefix string) (entries, sending int) {
	t.Helper()
	rep := status(t, dir, vars, cfg)
	for _, topic := range rep.Topics {
		for _, g := range topic.Groups {
			for _, c := range g.Consumers {
				if strings.HasPrefix(c.Name, prefix) {
					entries += int(c.Pending)
				}
			}
		}
	}
	return entries, int(rep.Deliveries["sending"])
}

// requireClean fails the test unless every post is stored once, every expected alert is
// stored once and notified, nothing is pending or unfinished, and the file sink repeats at
// most maxDup lines.
func (c tally) requireClean(t *testing.T, maxDup int) {
	t.Helper()
	if c.stored != c.postsIn {
		t.Errorf("stored %d posts, published %d", c.stored, c.postsIn)
	}
	if c.lost > 0 {
		t.Errorf("%d expected alerts never reached the file sink", c.lost)
	}
	if c.duplicates > maxDup {
		t.Errorf("%d duplicate lines in the file sink, want at most %d", c.duplicates, maxDup)
	}
	if c.pending > 0 {
		t.Errorf("%d stream entries still pending", c.pending)
	}
	if c.unfinished > 0 {
		t.Errorf("%d deliveries neither sent nor dead", c.unfinished)
	}
}

// redisServer is a redis-server of the test's own, with an append-only file fsynced on
// every write, so that a restart keeps every stream, group and pending entry.
type redisServer struct {
	port, dir string
	proc      *proc
}

func startRedisServer(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("needs redis-server on PATH")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	r := &redisServer{port: port, dir: t.TempDir()}
	r.start(t)
	return r
}

func (r *redisServer) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

// start runs the server on its port and directory and waits until it answers.
func (r *redisServer) start(t *testing.T) {
	t.Helper()
	r.proc = start(t, "redis-server", r.dir, nil, "redis-server",
		"--port", r.port, "--bind", "127.0.0.1", "--dir", r.dir, "--save", "",
		"--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no")
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port, MaxRetries: -1})
	defer c.Close()
	waitFor(t, 10*time.Second, "redis-server to answer on "+r.port, func() bool {
		if r.proc.exited() {
			t.Fatalf("redis-server exited: %s", tail(r.proc.stdout.String()))
		}
		return c.Ping(context.Background()).Err() == nil
	})
}

// stop shuts the server down with SIGTERM, which flushes the append-only file.
func (r *redisServer) stop(t *testing.T) {
	t.Helper()
	r.proc.signal(t, syscall.SIGTERM)
	if code := r.proc.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("redis-server exit %d:\n%s", code, tail(r.proc.stdout.String()))
	}
}
