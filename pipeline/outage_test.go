package pipeline_test

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/go-sql-driver/mysql"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
)

// MySQL (10 s) or Redis (2 s) unreachable: messages wait and are retried; none is poisoned,
// none is lost, and each alert is written once.
func TestOutageMessagesWaitNoneLost(t *testing.T) {
	for _, server := range []string{"mysql", "redis"} {
		t.Run(server, func(t *testing.T) { testOutage(t, server) })
	}
}

func testOutage(t *testing.T, server string) {
	env := testenv.New(t)
	direct := env // the test's own view, not through the proxy
	var proxy *testenv.Proxy
	switch server {
	case "mysql":
		dsn, err := mysql.ParseDSN(env.MySQLDSN)
		if err != nil {
			t.Fatal(err)
		}
		proxy = testenv.NewProxy(t, dsn.Addr)
		dsn.Addr = proxy.Addr()
		env.MySQLDSN = dsn.FormatDSN()
	case "redis":
		u, err := url.Parse(env.RedisURL)
		if err != nil {
			t.Fatal(err)
		}
		proxy = testenv.NewProxy(t, u.Host)
		u.Host = proxy.Addr()
		env.RedisURL = u.String()
	}

	dir := t.TempDir()
	cfg := testConfig(t, env, dir)
	app := pipeline.NewRunApp(cfg, pipeline.RunOptions{}, quietLogger())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())

	proxy.Cut()
	var lines strings.Builder
	const posts = 200
	for i := 0; i < posts; i++ {
		text := fmt.Sprintf("nothing to see %d", i)
		if i%10 == 0 {
			text = fmt.Sprintf("acme refund for order %d", i)
		}
		fmt.Fprintf(&lines, `{"source":"forum:acme","external_id":"o-%d","text":%q}`+"\n", i, text)
	}
	rdb := direct.Redis(t)
	pub, err := redisstream.NewPublisher(redisstream.PublisherConfig{Client: direct.Redis(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	topics := pipeline.NewTopics(cfg.Topics.Prefix)
	if _, err := pipeline.Ingest(ctx, strings.NewReader(lines.String()), pub, topics.Raw(), time.Now); err != nil {
		t.Fatal(err)
	}
	// The stages meet the outage (for Redis: the posts wait in it). MySQL is down for the
	// 10 s of the scale-out issue's fault list.
	outage := 2 * time.Second
	if server == "mysql" {
		outage = 10 * time.Second
	}
	time.Sleep(outage)
	if n := len(readAlerts(t, filepath.Join(dir, "alerts.jsonl"))); n != 0 {
		t.Fatalf("%d alerts written while MySQL was unreachable", n)
	}
	proxy.Restore()

	subs := []pipeline.Subscription{
		{Stage: "normalize", Topic: topics.Raw()},
		{Stage: "match", Topic: topics.Normalized()},
		{Stage: "evaluate", Topic: topics.Matched()},
		{Stage: "notify.file", Topic: topics.Alerts()},
	}
	if err := pipeline.WaitDrained(ctx, rdb, subs, 100*time.Millisecond, nil); err != nil {
		t.Fatalf("not drained after MySQL came back: %v", err)
	}
	alerts := readAlerts(t, filepath.Join(dir, "alerts.jsonl"))
	seen := map[string]bool{}
	for _, a := range alerts {
		if seen[a.ExternalID] {
			t.Fatalf("alert for %s written twice", a.ExternalID)
		}
		seen[a.ExternalID] = true
	}
	if len(seen) != posts/10 {
		t.Fatalf("%d alerts, want %d", len(seen), posts/10)
	}
	poisoned := int64(0)
	for _, topic := range []string{topics.Raw(), topics.Normalized(), topics.Matched(), topics.Alerts()} {
		n, _ := rdb.XLen(ctx, pipeline.Poison(topic)).Result()
		poisoned += n
	}
	// Every figure logged is measured: the posts and alerts tables are counted, not assumed.
	q := queries.New(direct.DB(t))
	stored, err := q.CountPosts(ctx)
	if err != nil {
		t.Fatalf("count posts: %v", err)
	}
	alertRows, err := q.CountAlerts(ctx)
	if err != nil {
		t.Fatalf("count alerts: %v", err)
	}
	t.Logf("\n%s down for %s: posts in %d, stored %d, alerts %d, notifications %d, lost %d, poisoned %d",
		server, outage, posts, stored, alertRows, len(seen), posts/10-len(seen), poisoned)
	if poisoned != 0 || stored != posts || alertRows != posts/10 {
		t.Fatalf("%d messages poisoned by a transient outage, %d of %d posts stored, %d of %d alerts stored",
			poisoned, stored, posts, alertRows, posts/10)
	}
}
