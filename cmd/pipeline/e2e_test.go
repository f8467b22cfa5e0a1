package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/queries"
)

// The end-to-end tests build the real binary and drive it as a user would.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "groupwatch-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "pipeline")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot build the binary: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func repoFile(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs the binary in dir with env added to a clean environment.
func run(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// baseEnv is the environment without any groupwatch setting of the caller's.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GROUPWATCH_") {
			env = append(env, kv)
		}
	}
	return env
}

func alertLines(t *testing.T, text string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		for _, k := range []string{"rule", "source", "external_id", "text", "terms", "alert_id", "created_at"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("alert line lacks %q: %s", k, sc.Text())
			}
		}
		out = append(out, fmt.Sprintf("%s %s/%s", m["rule"], m["source"], m["external_id"]))
	}
	sort.Strings(out)
	return out
}

var exampleAlerts = []string{
	"brand-complaints forum:acme-users/t-77",
	"brand-complaints forum:acme-users/t-78",
	"iphone-deals fb:hk-buy-sell/1001",
	"iphone-deals fb:hk-buy-sell/1002",
	"switch-bargains fb:gamers-hk/g-1",
	"switch-bargains fb:gamers-hk/g-2",
}

// The README's quickstart, as written: the embedded default over the bundled example.
func TestQuickstartOnEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	r := run(t, dir, nil, "run", "--config", repoFile(t, "example/config.yaml"),
		"--ingest", repoFile(t, "example/posts.jsonl"), "--drain", "--log-level", "debug")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "NOTHING PERSISTS") {
		t.Fatalf("no warning that nothing persists:\n%s", r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if got := alertLines(t, string(b)); strings.Join(got, "\n") != strings.Join(exampleAlerts, "\n") {
		t.Fatalf("alerts file:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(exampleAlerts, "\n"))
	}
	// The console sink gets the rules that list it: all but switch-bargains.
	if got := alertLines(t, r.stdout); len(got) != 4 {
		t.Fatalf("console: %d alerts, want 4:\n%s", len(got), r.stdout)
	}
	// Logs are JSON when stdout is not a terminal, and every line about a message carries
	// its correlation id.
	about := 0
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if _, ok := m["message_uuid"]; ok {
			about++
			if _, ok := m["correlation_id"]; !ok {
				t.Fatalf("log line about a message has no correlation_id: %s", line)
			}
		}
	}
	if about == 0 {
		t.Fatal("no debug log line about a message")
	}
}

func TestCommandsWithoutServerPointToRun(t *testing.T) {
	for _, args := range [][]string{{"migrate"}, {"ingest", "x.jsonl"}} {
		r := run(t, t.TempDir(), nil, append(args, "--config", repoFile(t, "example/config.yaml"))...)
		if r.code == 0 || !strings.Contains(r.stderr, "pipeline run --ingest FILE --drain") {
			t.Fatalf("%v: exit %d, want a pointer to run --ingest:\n%s", args, r.code, r.stderr)
		}
	}
}

func TestInvalidConfigStartsNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfg, []byte("rules:\n  - {name: a, query: '(acme', sinks: [o]}\nsinks: [{name: o, type: console}]\n"), 0o644)
	r := run(t, dir, nil, "run", "--config", cfg, "--drain")
	if r.code != 1 || !strings.Contains(r.stderr, "rules[0].query: unbalanced parenthesis") {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "pipeline running") {
		t.Fatal("the pipeline started on an invalid config")
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, cmd := range []string{"run", "migrate", "ingest"} {
		r := run(t, t.TempDir(), nil, cmd, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
			t.Fatalf("%s --help: exit %d, no examples:\n%s", cmd, r.code, r.stdout)
		}
	}
}

// serverEnv is the environment for the binary against this test's Redis and MySQL: the real
// servers when GROUPWATCH_TEST_REDIS_URL and GROUPWATCH_TEST_MYSQL_DSN are set, otherwise
// stand-ins the test starts in its own process, which the binary reaches over TCP like any
// server.
func serverEnv(t *testing.T) (testenv.Env, []string) {
	t.Helper()
	env := testenv.New(t)
	vars := []string{
		"GROUPWATCH_REDIS_URL=" + env.RedisURL,
		"GROUPWATCH_MYSQL_DSN=" + env.MySQLDSN,
	}
	if env.Embedded {
		// The stand-in runs one statement at a time (see testenv): more connections only
		// wait. baseEnv drops the variable testenv set, so the binary is told here.
		vars = append(vars, config.EnvMySQLMaxConns+"=1")
	}
	t.Logf("binary against %s", env)
	return env, vars
}

// postCount is how many posts a test drives through the pipeline: real servers take the
// full load; go-mysql-server, on one connection, stores a post in tens of milliseconds, so
// the stand-ins get fewer, still enough that every stage has work in hand when the fault
// comes.
func postCount(env testenv.Env, real, standin int) int {
	if env.Real {
		return real
	}
	return standin
}

// needsRealServers skips a test on the stand-ins, saying why: what it exercises is a real
// server's, which miniredis or go-mysql-server lacks.
func needsRealServers(t *testing.T, env testenv.Env, why string) {
	t.Helper()
	if !env.Real {
		t.Skipf("%s: set %s and %s to run it against real servers", why, testenv.EnvRedisURL, testenv.EnvMySQLDSN)
	}
}

// prefixedConfig is the example config with the test's own topic prefix, and entries of a
// stopped process claimed after 2 s rather than a minute.
func prefixedConfig(t *testing.T, dir, prefix string) string {
	t.Helper()
	b, err := os.ReadFile(repoFile(t, "example/config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The copy lives elsewhere: point its relative source paths back at example/.
	b = bytes.ReplaceAll(b, []byte("file://pages/"), []byte("file://"+repoFile(t, "example/pages")+"/"))
	b = bytes.ReplaceAll(b, []byte("selectors: selectors.yaml"), []byte("selectors: "+repoFile(t, "example/selectors.yaml")))
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, append([]byte("topics: {prefix: "+prefix+"}\npipeline: {claim_idle: 2s, message_timeout: 5s}\n"), b...), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Done means: migrate, ingest and run --drain against real servers write the expected
// alerts once; ingest and run again add none; a foreign entry is poisoned and the posts
// after it are processed.
func TestMigrateIngestRunOnRealServers(t *testing.T) {
	env, vars := serverEnv(t)
	dir := t.TempDir()
	cfg := prefixedConfig(t, dir, env.Prefix)
	posts := repoFile(t, "example/posts.jsonl")

	for i := 0; i < 2; i++ {
		if r := run(t, dir, vars, "migrate", "--config", cfg); r.code != 0 {
			t.Fatalf("migrate #%d: exit %d\n%s", i+1, r.code, r.stderr)
		}
	}
	for round := 1; round <= 2; round++ {
		if r := run(t, dir, vars, "ingest", "--config", cfg, posts); r.code != 0 {
			t.Fatalf("ingest: exit %d\n%s", r.code, r.stderr)
		}
		if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
		if got := alertLines(t, string(b)); strings.Join(got, "\n") != strings.Join(exampleAlerts, "\n") {
			t.Fatalf("round %d alerts:\n%s", round, strings.Join(got, "\n"))
		}
	}

	rdb := env.Redis(t)
	ctx := context.Background()
	raw := env.Prefix + ".posts.raw"
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: raw, Values: map[string]any{"hand": "written"}}).Err(); err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(dir, "more.jsonl")
	os.WriteFile(extra, []byte(`{"source":"forum:acme-users","external_id":"t-99","text":"acme: refund now"}`+"\n"), 0o644)
	if r := run(t, dir, vars, "ingest", "--config", cfg, extra); r.code != 0 {
		t.Fatalf("ingest: exit %d\n%s", r.code, r.stderr)
	}
	if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	poisoned, err := rdb.XLen(ctx, raw+".poison").Result()
	if err != nil || poisoned != 1 {
		t.Fatalf("%s holds %d entries (%v), want 1", raw+".poison", poisoned, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	if got := alertLines(t, string(b)); len(got) != len(exampleAlerts)+1 {
		t.Fatalf("the post after the foreign entry did not alert:\n%s", strings.Join(got, "\n"))
	}
}

// SIGTERM mid-run: the process exits within the close timeout, and a second run finishes the
// work with every alert written exactly once: nothing was acked that was not done.
func TestSIGTERMLosesNothing(t *testing.T) {
	env, vars := serverEnv(t)
	dir := t.TempDir()
	cfg := prefixedConfig(t, dir, env.Prefix)
	if !env.Real {
		// A slow statement on a busy machine must not pass for a dead consumer, whose
		// entries another takes over while the first still works on them.
		slowDatabase(t, cfg)
	}
	var lines strings.Builder
	// On the stand-ins, 300: a second run on a busy machine (go test ./... on 2 cores)
	// stores a few posts a second there, and must finish within run's 2 minutes.
	posts := postCount(env, 3000, 300)
	for i := 0; i < posts; i++ {
		text := fmt.Sprintf("post %d about nothing much", i)
		if i%10 == 0 {
			text = fmt.Sprintf("acme refund please, order %d", i)
		}
		fmt.Fprintf(&lines, `{"source":"forum:acme-users","external_id":"s-%d","text":%q}`+"\n", i, text)
	}
	input := filepath.Join(dir, "many.jsonl")
	os.WriteFile(input, []byte(lines.String()), 0o644)

	if r := run(t, dir, vars, "ingest", "--config", cfg, input); r.code != 0 {
		t.Fatalf("ingest: exit %d\n%s", r.code, r.stderr)
	}
	cmd := exec.Command(binary, "run", "--config", cfg, "--drain")
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), vars...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	stopped := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		t.Logf("exited %s after SIGTERM", time.Since(stopped).Round(time.Millisecond))
	case <-time.After(45 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 45 s after SIGTERM:\n%s", stderr.String())
	}

	ackedWereDone(t, env, posts)

	if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	got := alertLines(t, string(b))
	seen := map[string]int{}
	for _, a := range got {
		seen[a]++
	}
	q := queries.New(env.DB(t))
	stored, _ := q.CountPosts(context.Background())
	alerts, _ := q.CountAlerts(context.Background())
	c := tally{postsIn: posts, stored: int(stored), alerts: int(alerts), notified: len(seen), lost: posts/10 - len(seen)}
	for _, n := range seen {
		c.duplicates += n - 1
	}
	c.log(t)
	if len(seen) != posts/10 || int(stored) != posts {
		t.Fatalf("%d distinct alerts and %d posts stored, want %d and %d", len(seen), stored, posts/10, posts)
	}
	for a, n := range seen {
		if n != 1 {
			t.Fatalf("alert %s written %d times", a, n)
		}
	}
}

// ackedWereDone checks, after a process stopped, that nothing was acknowledged that was not
// done: every posts.raw entry the normalize group acknowledged (delivered to it and no longer
// pending) has its post stored. The subscriber gathers acks for up to 5 ms before one XACK,
// and sends what it gathered at shutdown; an entry whose post was not stored must still be
// pending, for the next run.
func ackedWereDone(t *testing.T, env testenv.Env, posts int) {
	t.Helper()
	ctx := context.Background()
	rdb := env.Redis(t)
	raw := env.Prefix + ".posts.raw"
	groups, err := rdb.XInfoGroups(ctx, raw).Result()
	if err != nil {
		t.Fatal(err)
	}
	last := ""
	for _, g := range groups {
		if g.Name == "normalize" {
			last = g.LastDeliveredID
		}
	}
	if last == "" || last == "0-0" {
		// The process was still starting (a slow machine): there is nothing to check.
		t.Logf("the normalize group on %s was delivered nothing before the SIGTERM", raw)
		return
	}
	pend, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: raw, Group: "normalize", Start: "-", End: "+", Count: int64(posts)}).Result()
	if err != nil {
		t.Fatal(err)
	}
	pending := map[string]bool{}
	for _, p := range pend {
		pending[p.ID] = true
	}
	entries, err := rdb.XRange(ctx, raw, "-", last).Result()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := env.DB(t).QueryContext(ctx, "SELECT external_id FROM posts")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored[id] = true
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	acked, undone := 0, 0
	for _, e := range entries {
		if pending[e.ID] {
			continue
		}
		acked++
		payload, _ := e.Values["payload"].(string)
		var p struct {
			ExternalID string `json:"external_id"`
		}
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			t.Fatalf("entry %s: %v", e.ID, err)
		}
		if !stored[p.ExternalID] {
			undone++
			t.Errorf("entry %s (post %s) was acknowledged, but its post is not stored", e.ID, p.ExternalID)
		}
	}
	t.Logf("at the SIGTERM: of %d posts.raw entries, normalize had acknowledged %d (%d of them without their post stored), left %d pending and not yet read %d",
		posts, acked, undone, len(pending), posts-len(entries))
}

// The README's crawl example: a saved page through a file:// URL, on the embedded default
// (dry run), then for real: new posts reach alerts, and a second crawl finds them all seen.
func TestCrawlSavedPage(t *testing.T) {
	dir := t.TempDir()
	r := run(t, dir, nil, "crawl", "--config", repoFile(t, "example/config.yaml"), "saved-forum", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, `"new": 3`) || !strings.Contains(r.stdout, `"external_id": "t-301"`) {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, nil, "crawl", "--config", repoFile(t, "example/config.yaml"), "saved-forum"); r.code == 0 {
		t.Fatal("a real crawl on the embedded default must refuse: nothing would last")
	}

	env, vars := serverEnv(t)
	cfg := prefixedConfig(t, dir, env.Prefix)
	if r := run(t, dir, vars, "migrate", "--config", cfg); r.code != 0 {
		t.Fatalf("migrate: %s", r.stderr)
	}
	if r := run(t, dir, vars, "crawl", "--config", cfg, "saved-forum"); r.code != 0 || !strings.Contains(r.stdout, `"new": 3`) {
		t.Fatalf("crawl: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	want := []string{"brand-complaints saved-forum/t-302", "iphone-deals saved-forum/t-301"}
	if got := alertLines(t, string(b)); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("alerts:\n%s", strings.Join(got, "\n"))
	}
	if r := run(t, dir, vars, "crawl", "--config", cfg, "saved-forum"); r.code != 0 || !strings.Contains(r.stdout, `"seen": 3`) {
		t.Fatalf("second crawl must find every post stored: exit %d\n%s", r.code, r.stdout)
	}
}

// A Slack webhook that answers 404 makes the delivery dead at once; it is listed, explained,
// and, once the webhook works, re-sent by `alerts resend` and the next run.
func TestDeadDeliveryListShowResend(t *testing.T) {
	env, vars := serverEnv(t)
	var mu sync.Mutex
	gone, received := true, 0
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if gone {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		received++
		fmt.Fprint(w, "ok")
	}))
	defer slack.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`topics: {prefix: %s}
rules: [{name: acme, query: 'acme refund', sinks: [team]}]
sinks: [{name: team, type: slack, webhook_url: '%s/services/T/B/SECRETPART'}]
`, env.Prefix, slack.URL)), 0o644)
	posts := filepath.Join(dir, "posts.jsonl")
	os.WriteFile(posts, []byte(`{"source":"forum","external_id":"1","text":"ACME refund now"}`+"\n"), 0o644)

	run(t, dir, vars, "migrate", "--config", cfg)
	if r := run(t, dir, vars, "run", "--config", cfg, "--ingest", posts, "--drain"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	r := run(t, dir, vars, "alerts", "list", "--config", cfg, "--status", "dead")
	if r.code != 0 || !strings.Contains(r.stdout, "acme") || !strings.Contains(r.stdout, "forum") {
		t.Fatalf("alerts list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dir, vars, "alerts", "show", "--config", cfg, "1")
	if r.code != 0 || !strings.Contains(r.stdout, `rule "acme"`) || !strings.Contains(r.stdout, "dead") || !strings.Contains(r.stdout, "no_service") {
		t.Fatalf("alerts show: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, "SECRETPART") {
			t.Fatalf("the webhook URL leaked:\n%s", out)
		}
	}
	mu.Lock()
	gone = false
	mu.Unlock()
	if r := run(t, dir, vars, "alerts", "resend", "--config", cfg, "1"); r.code != 0 || !strings.Contains(r.stdout, "1 deliveries") {
		t.Fatalf("resend: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
		t.Fatalf("run after resend: exit %d\n%s", r.code, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if received != 1 {
		t.Fatalf("%d messages received after the resend, want 1", received)
	}
}

// A silenced rule's alerts are stored with the reason and not sent; --clear ends it.
func TestSilenceSuppressesButStores(t *testing.T) {
	env, vars := serverEnv(t)
	dir := t.TempDir()
	cfg := prefixedConfig(t, dir, env.Prefix)
	run(t, dir, vars, "migrate", "--config", cfg)
	r := run(t, dir, vars, "silence", "--config", cfg, "brand-complaints", "--for", "1h", "--reason", "launch day")
	if r.code != 0 || !strings.Contains(r.stdout, "rule brand-complaints silenced until") {
		t.Fatalf("silence: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "silence", "--config", cfg, "--list"); !strings.Contains(r.stdout, "launch day") {
		t.Fatalf("silence --list:\n%s", r.stdout)
	}
	if r := run(t, dir, vars, "run", "--config", cfg, "--ingest", repoFile(t, "example/posts.jsonl"), "--drain"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	for _, line := range alertLines(t, string(b)) {
		if strings.HasPrefix(line, "brand-complaints") {
			t.Fatalf("a silenced rule's alert was sent: %s", line)
		}
	}
	if got := len(alertLines(t, string(b))); got != len(exampleAlerts)-2 {
		t.Fatalf("%d alerts sent, want %d", got, len(exampleAlerts)-2)
	}
	found := false
	for id := 1; id <= 6 && !found; id++ {
		r := run(t, dir, vars, "alerts", "show", "--config", cfg, fmt.Sprint(id))
		found = strings.Contains(r.stdout, "not sent: silenced (rule brand-complaints)") && strings.Contains(r.stdout, "launch day")
	}
	if !found {
		t.Fatal("no stored alert says it was silenced")
	}
	if r := run(t, dir, vars, "silence", "--config", cfg, "brand-complaints", "--clear"); !strings.Contains(r.stdout, "1 silences") {
		t.Fatalf("clear:\n%s%s", r.stdout, r.stderr)
	}
}

// A rule added later is backfilled over stored posts: its alerts are stored, never sent one
// by one; with --notify its sinks get one digest.
func TestBackfillNewRule(t *testing.T) {
	env, vars := serverEnv(t)
	dir := t.TempDir()
	cfg := prefixedConfig(t, dir, env.Prefix)
	run(t, dir, vars, "migrate", "--config", cfg)
	if r := run(t, dir, vars, "run", "--config", cfg, "--ingest", repoFile(t, "example/posts.jsonl"), "--drain"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(cfg)
	b = bytes.Replace(b, []byte("rules:\n"), []byte("rules:\n  - {name: acme-all, query: acme, sinks: [alerts-file]}\n  - {name: acme-notify, query: acme, sinks: [alerts-file]}\n"), 1)
	os.WriteFile(cfg, b, 0o644)

	r := run(t, dir, vars, "backfill", "--config", cfg, "--rule", "acme-all", "--since", "1d")
	if r.code != 0 || !strings.Contains(r.stdout, "3 matched, 3 new alerts stored as backfill") {
		t.Fatalf("backfill: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "backfill", "--config", cfg, "--rule", "acme-all", "--since", "1d"); !strings.Contains(r.stdout, "0 new alerts") {
		t.Fatalf("a second backfill must store nothing new:\n%s", r.stdout)
	}
	if r := run(t, dir, vars, "backfill", "--config", cfg, "--rule", "acme-notify", "--since", "1d", "--notify"); r.code != 0 || !strings.Contains(r.stdout, "one digest") {
		t.Fatalf("backfill --notify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "run", "--config", cfg, "--drain"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	got := alertLines(t, string(b))
	if len(got) != len(exampleAlerts)+1 {
		t.Fatalf("want the example's alerts and one digest, got:\n%s", strings.Join(got, "\n"))
	}
	if !strings.Contains(string(b), `"kind":"digest"`) || !strings.Contains(string(b), "backfill: 3 matches") {
		t.Fatalf("the backfill's digest is missing:\n%s", b)
	}
}
