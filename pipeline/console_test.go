package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

const consoleToken = "console-admin-token-0123456789"

// fakeSlack answers 404 no_service (a permanent failure: the delivery goes dead) until it
// is mended, then 200; it counts what it delivered.
type fakeSlack struct {
	*httptest.Server
	mu        sync.Mutex
	mended    bool
	delivered []string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.mended {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		f.delivered = append(f.delivered, string(b))
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSlack) mend() {
	f.mu.Lock()
	f.mended = true
	f.mu.Unlock()
}

func (f *fakeSlack) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.delivered...)
}

// consoleRun is a running pipeline (every stage, the scheduler, the retrier) with its
// console on --http, a fake Slack, and a feed source served here.
type consoleRun struct {
	t     *testing.T
	base  string
	cfg   *config.Config
	slack *fakeSlack
	rdb   redis.UniversalClient
}

const feedXML = `<?xml version="1.0"?><rss version="2.0"><channel><title>forum</title>
<item><guid>f1</guid><title>ACME refund thread</title><description>acme refund 退款 please</description><link>https://forum.example/t/1</link></item>
<item><guid>f2</guid><title>cameras</title><description>賣相機 canon</description><link>https://forum.example/t/2</link></item>
</channel></rss>`

func startConsoleRun(t *testing.T) *consoleRun {
	t.Helper()
	slack := newFakeSlack(t)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, feedXML)
	}))
	t.Cleanup(feed.Close)
	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	t.Setenv(config.EnvAdminToken, "")
	t.Setenv("TEST_SLACK_WEBHOOK", slack.URL+"/services/T000/B000/XXXX")
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
topics: {prefix: %s}
pipeline:
  consumers: {normalize: 2, match: 1, evaluate: 1, notify: 1}
  close_timeout: 5s
  retry_max_interval: 200ms
api: {token: api-token-0123456789}
admin: {token: %s}
rules:
  - {name: acme, query: 'acme (refund OR 退款)', sinks: [team]}
  - {name: camera, query: '相機', type: threshold, threshold: {count: 2, window: 24h}, sinks: [file]}
sinks:
  - {name: team, type: slack, webhook_url: '${TEST_SLACK_WEBHOOK}'}
  - {name: file, type: file, path: %s}
sources:
  - {name: forum, kind: feed, url: '%s/rss', every: 1h, min_interval: 1s}
`, env.Prefix, consoleToken, t.TempDir()+"/alerts.jsonl", feed.URL)))
	if err != nil {
		t.Fatal(err)
	}
	addrs := make(chan string, 1)
	app := pipeline.NewRunApp(cfg, pipeline.RunOptions{
		HTTPAddr: "127.0.0.1:0", Ingest: "testdata/posts.jsonl", Instance: "console-test",
		OnHTTP: func(a string) { addrs <- a },
	}, quietLogger())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Stop(context.Background()) })
	rdb, err := pipeline.OpenRedis(context.Background(), env.RedisURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return &consoleRun{t: t, base: "http://" + <-addrs, cfg: cfg, slack: slack, rdb: rdb}
}

// poisonAPost puts a post on posts.raw.poison as the poison middleware would have, had a
// since-fixed bug refused it: requeued, it must go through.
func (c *consoleRun) poisonAPost(externalID, text string) {
	c.t.Helper()
	msg, err := pipeline.NewRawPostMessage(handlers.RawPost{V: handlers.Version, Source: "requeued", ExternalID: externalID, Text: text})
	if err != nil {
		c.t.Fatal(err)
	}
	raw := pipeline.NewTopics(c.cfg.Topics.Prefix).Raw()
	msg.Metadata.Set(middleware.ReasonForPoisonedKey, "normalize: a bug fixed since")
	msg.Metadata.Set(middleware.PoisonedTopicKey, raw)
	msg.Metadata.Set(middleware.PoisonedHandlerKey, "normalize")
	values, err := redisstream.DefaultMarshallerUnmarshaller{}.Marshal(pipeline.Poison(raw), msg)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: pipeline.Poison(raw), Values: values}).Err(); err != nil {
		c.t.Fatal(err)
	}
}

// ingest posts one post through the ingest API.
func (c *consoleRun) ingest(externalID, text string) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/posts", strings.NewReader(fmt.Sprintf(`{"source":"api","external_id":%q,"text":%q}`, externalID, text)))
	req.Header.Set("Authorization", "Bearer api-token-0123456789")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		c.t.Fatalf("ingest: %d", resp.StatusCode)
	}
}

// operator is a logged-in client of the console.
type operator struct {
	c      *consoleRun
	client *http.Client
}

func (c *consoleRun) login() *operator {
	c.t.Helper()
	jar, _ := cookiejar.New(nil)
	o := &operator{c: c, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, _ := o.do("POST", "/login", url.Values{"token": {consoleToken}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login: %d", resp.StatusCode)
	}
	return o
}

func (o *operator) do(method, path string, form url.Values) (*http.Response, string) {
	o.c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, o.c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := o.client.Do(req)
	if err != nil {
		o.c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (o *operator) post(path string, form url.Values) (*http.Response, string) {
	o.c.t.Helper()
	_, page := o.do("GET", "/silences", nil)
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		o.c.t.Fatal("no CSRF token on the silences page")
	}
	form.Set("csrf", m[1])
	return o.do("POST", path, form)
}

// waitFor polls a page until it holds want.
func (o *operator) waitFor(path, want string) string {
	o.c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body := o.do("GET", path, nil)
		if resp.StatusCode == 200 && strings.Contains(body, want) {
			return body
		}
		if time.Now().After(deadline) {
			o.c.t.Fatalf("%s never showed %q; last answer %d:\n%s", path, want, resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var alertLink = regexp.MustCompile(`href="/alerts/(\d+)"`)

func TestConsoleOverARunningPipeline(t *testing.T) {
	c := startConsoleRun(t)
	// No session: every page sends to the login form, and actions are refused.
	if resp, err := http.Get(c.base + "/alerts"); err != nil || resp.Request.URL.Path != "/login" {
		t.Fatalf("without a session: %v %v", resp.Request.URL, err)
	}
	if resp, _ := http.PostForm(c.base+"/alerts/1/resend", url.Values{}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("resend without a session: %d", resp.StatusCode)
	}
	op := c.login()

	// The pipeline's work shows: a dead Slack delivery, the feed's crawl, the stages.
	dead := op.waitFor("/alerts?status=dead&rule=acme", `href="/alerts/`)
	id := alertLink.FindStringSubmatch(dead)[1]
	op.waitFor("/sources", "forum")
	overview := op.waitFor("/", "normalize")
	for _, want := range []string{"<svg", "posts.raw", "console-test", "dead"} {
		if !strings.Contains(overview, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	alert := op.waitFor("/alerts/"+id, "no_service")
	if !strings.Contains(alert, "<mark>") || !strings.Contains(alert, `id="resend"`) || strings.Contains(alert, "/services/T000") {
		t.Fatalf("alert page: marks, resend, no webhook URL:\n%s", alert)
	}
	for _, page := range []string{"/rules", "/rules/acme", "/rules/camera?test_days=3", "/poison", "/silences", "/overview/live"} {
		resp, body := op.do("GET", page, nil)
		if resp.StatusCode != 200 || strings.Contains(body, "/services/T000") || strings.Contains(body, consoleToken) || strings.Contains(body, "api-token") {
			t.Errorf("%s: %d or a secret on the page", page, resp.StatusCode)
		}
	}

	// Resend the dead delivery once Slack is mended: the retrier sends it.
	c.slack.mend()
	if resp, _ := op.post("/alerts/"+id+"/resend", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resend: %d", resp.StatusCode)
	}
	op.waitFor("/alerts/"+id, `class="status good">sent<`)
	if len(c.slack.sent()) == 0 {
		t.Fatal("Slack got nothing")
	}

	// A silence made in the console suppresses the next alert of its rule.
	if resp, body := op.post("/silences", url.Values{"rule": {"acme"}, "duration": {"1h"}, "reason": {"test"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("silence: %d %s", resp.StatusCode, body)
	}
	sent := len(c.slack.sent())
	c.ingest("silenced-1", "acme refund while silenced")
	suppressed := op.waitFor("/alerts?rule=acme&source=api", "silenced")
	if !strings.Contains(suppressed, "Suppressed") {
		t.Fatalf("the alert made under the silence is not marked:\n%s", suppressed)
	}
	time.Sleep(500 * time.Millisecond)
	if len(c.slack.sent()) != sent {
		t.Fatal("a silenced alert reached Slack")
	}

	// A poisoned post requeued from the console is processed.
	c.poisonAPost("from-poison", "acme refund from the poison topic")
	page := op.waitFor("/poison", "a bug fixed since")
	ids := regexp.MustCompile(`name="id" value="([0-9-]+)"`).FindStringSubmatch(page)
	if resp, _ := op.post("/poison/requeue", url.Values{"topic": {pipeline.Poison(pipeline.NewTopics(c.cfg.Topics.Prefix).Raw())}, "id": {ids[1]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("requeue: %d", resp.StatusCode)
	}
	op.waitFor("/alerts?source=requeued", "from-poison")
	op.waitFor("/poison", "No poisoned messages.")

	// Crawl now queues a job the crawl stage runs (the scheduler publishes only ticks that
	// fall due while it runs, so the feed has not been crawled yet).
	if _, body := op.do("GET", "/sources", nil); strings.Contains(body, `<td class="good">ok</td>`) {
		t.Fatal("a crawl ran before crawl now")
	}
	var job string
	deadline := time.Now().Add(20 * time.Second)
	for job == "" {
		resp, _ := op.post("/sources/crawl", url.Values{"source": {"forum"}})
		if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusSeeOther {
			u, _ := url.Parse(loc)
			job = u.Query().Get("arg")
		} else if time.Now().After(deadline) {
			t.Fatalf("crawl now: %d", resp.StatusCode)
		} else {
			time.Sleep(200 * time.Millisecond)
		}
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		_, body := op.do("GET", "/sources", nil)
		if strings.Contains(body, `<td class="good">ok</td>`) && strings.Contains(body, `<td class="num">2</td>`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the crawl %s never ran:\n%s", job, body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The shared state is on /metrics, for the dashboard and the alerting rules. The crawl's
	// counter moves just after its run is stored: wait for it.
	var metrics string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(c.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metrics = string(b)
		if strings.Contains(metrics, `groupwatch_crawl_runs_total{source="forum",verdict="ok"} 1`) || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range []string{`groupwatch_state_up{backend="redis"} 1`, `groupwatch_state_up{backend="mysql"} 1`,
		`groupwatch_deliveries{status="sent"} 1`, `groupwatch_consumer_group_lag{group="normalize",topic="`, `groupwatch_poison_entries{topic="`,
		`groupwatch_crawl_runs_total{source="forum",verdict="ok"} 1`, `groupwatch_source_last_crawl_timestamp_seconds{source="forum"}`,
		`groupwatch_source_crawl_interval_seconds{source="forum"} 3600`, `groupwatch_source_state{source="forum",state="ok",verdict="ok"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grep(metrics, "groupwatch_"))
		}
	}
}

// pipeline console serves the console alone, with /readyz ready without a router.
func TestConsoleAppAlone(t *testing.T) {
	env := testenv.New(t)
	t.Setenv(config.EnvRedisURL, env.RedisURL)
	t.Setenv(config.EnvMySQLDSN, env.MySQLDSN)
	t.Setenv(config.EnvAdminToken, "")
	cfg, err := config.Parse([]byte(fmt.Sprintf("topics: {prefix: %s}\nadmin: {token: %s}\nrules: [{name: a, query: acme, sinks: [o]}]\nsinks: [{name: o, type: console}]\nhealth: {sinks: [o]}\n",
		env.Prefix, consoleToken)))
	if err != nil {
		t.Fatal(err)
	}
	addrs := make(chan string, 1)
	app := pipeline.NewConsoleApp(cfg, pipeline.ConsoleOptions{HTTPAddr: "127.0.0.1:0", OnHTTP: func(a string) { addrs <- a }}, quietLogger())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	c := &consoleRun{t: t, base: "http://" + <-addrs, cfg: cfg}
	if resp, err := http.Get(c.base + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/readyz: %v %v", resp, err)
	}
	op := c.login()
	for _, page := range []string{"/", "/sources", "/rules", "/rules/a?test_days=2", "/rules/source-health", "/alerts", "/poison", "/silences"} {
		if resp, body := op.do("GET", page, nil); resp.StatusCode != 200 {
			t.Errorf("%s: %d\n%s", page, resp.StatusCode, body)
		}
	}
	if resp, body := op.do("GET", "/rules/source-health?test_days=2", nil); resp.StatusCode != 400 || !strings.Contains(body, "fires on crawl events") {
		t.Errorf("rule test of the health rule: %d\n%s", resp.StatusCode, body)
	}
	if err := pipeline.NewConsoleApp(&config.Config{}, pipeline.ConsoleOptions{}, quietLogger()).Err(); !errors.Is(err, pipeline.ErrNoAdminToken) {
		t.Fatalf("without a token: %v", err)
	}
}
