package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// A simulated year of one deployment, in the proportions of a busy one: 50 Facebook groups,
// 20 rules (16 instant, 4 threshold), 2% of posts matching, every instant match alerting,
// each alert delivered to a file sink and half of them to Slack too, a crawl of each group
// every 19 minutes or so. Everything is a pure function of a row number, so a query can be
// given arguments that exist without reading them back.
const (
	yearSources        = 50
	yearRules          = 20
	yearInstantRules   = 16
	yearMatchEvery     = 50 // one post in 50 matches
	yearPostsPerCrawl  = 6  // one crawl run per 6 posts: 1.7 M runs at 10 M posts
	yearKeywordsPerDay = 8  // keyword_daily rows per rule and day: '*', some sources and terms
)

var yearWords = strings.Fields("acme refund iphone 二手 便宜 switch 出售 weather lunch meeting 今天 天氣 好 不錯 朋友 電影 camera 相機 deal sale")

// year is the simulated year: n posts first seen evenly between start and end.
type year struct {
	n          int
	start, end time.Time
}

func (y year) postAt(i int) time.Time {
	return y.start.Add(time.Duration(int64(y.end.Sub(y.start)) / int64(y.n) * int64(i-1)))
}
func (y year) postSource(i int) string     { return fmt.Sprintf("group-%02d", i%yearSources) }
func (y year) postExternalID(i int) string { return fmt.Sprintf("p%010d", i) }
func (y year) matched(i int) bool          { return i%yearMatchEvery == 7 }
func (y year) matchRule(i int) int64       { return int64((i/yearMatchEvery)%yearRules + 1) }
func (y year) matches() int                { return y.n / yearMatchEvery }

// matchPost is the post of the k-th match (k from 1).
func (y year) matchPost(k int) int { return (k-1)*yearMatchEvery + 7 }

// alerts are the matches of instant rules; alertPost gives each alert's post. Alert k is
// the k-th match whose rule is instant.
func (y year) instant(i int) bool { return y.matchRule(i) <= yearInstantRules }

func (y year) text(i int) string {
	var b strings.Builder
	for j := 0; j < 24; j++ {
		b.WriteString(yearWords[(i*7+j*13)%len(yearWords)])
		b.WriteByte(' ')
	}
	return b.String()
}

// insertRows writes n rows (row(0) … row(n-1)) with multi-row INSERTs of up to 1000 rows,
// in order, on two connections.
func insertRows(ctx context.Context, db *sql.DB, table string, cols []string, n int, row func(i int) []any) error {
	const per = 1000
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES "
	batches := make(chan [2]int)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range batches {
				count := r[1] - r[0]
				stmt := head + strings.TrimSuffix(strings.Repeat(one+",", count), ",")
				args := make([]any, 0, count*len(cols))
				for i := r[0]; i < r[1]; i++ {
					args = append(args, row(i)...)
				}
				if _, err := db.ExecContext(ctx, stmt, args...); err != nil {
					errs <- fmt.Errorf("cannot fill %s: %w", table, err)
					return
				}
			}
		}()
	}
	var err error
loop:
	for from := 0; from < n; from += per {
		select {
		case batches <- [2]int{from, min(from+per, n)}:
		case err = <-errs:
			break loop
		}
	}
	close(batches)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// fillYear writes the year into db (made by the migrations) and logs how long each table took.
func fillYear(b *testing.B, db *sql.DB, y year) {
	b.Helper()
	ctx := context.Background()
	step := func(table string, n int, cols []string, row func(i int) []any) {
		start := time.Now()
		if err := insertRows(ctx, db, table, cols, n, row); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		b.Logf("filled %-13s %10d rows in %8s (%.0f rows/s)", table, n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	}
	step("rules", yearRules, []string{"id", "name", "query", "kind", "updated_at"}, func(i int) []any {
		kind := "instant"
		if i >= yearInstantRules {
			kind = "threshold"
		}
		return []any{i + 1, fmt.Sprintf("rule-%02d", i+1), yearWords[i%len(yearWords)], kind, y.end}
	})
	step("sources", yearSources, []string{"name", "kind", "url", "account", "last_crawl_at", "created_at", "updated_at"}, func(i int) []any {
		return []any{y.postSource(i), "facebook_group", "https://www.facebook.com/groups/" + y.postSource(i), "acct", y.end, y.start, y.end}
	})
	step("posts", y.n, []string{"id", "source", "external_id", "author", "url", "text", "content_hash", "raw_payload", "message_id", "posted_at", "first_seen_at", "updated_at"}, func(k int) []any {
		i := k + 1
		at := y.postAt(i)
		text := y.text(i)
		return []any{i, y.postSource(i), y.postExternalID(i), fmt.Sprintf("author-%d", i%20000),
			"https://www.facebook.com/groups/x/posts/" + y.postExternalID(i), text, fmt.Sprintf("%064x", i),
			`{"text":"` + text + `"}`, fmt.Sprintf("%d-0", at.UnixMilli()), at.Add(-time.Minute), at, at}
	})
	step("matches", y.matches(), []string{"rule_id", "post_id", "terms", "created_at"}, func(k int) []any {
		i := y.matchPost(k + 1)
		return []any{y.matchRule(i), i, `["` + yearWords[i%len(yearWords)] + `"]`, y.postAt(i).Add(time.Second)}
	})
	// Alerts: one per instant match, numbered in match order.
	var alertPosts []int
	for k := 1; k <= y.matches(); k++ {
		if i := y.matchPost(k); y.instant(i) {
			alertPosts = append(alertPosts, i)
		}
	}
	step("alerts", len(alertPosts), []string{"id", "dedup_key", "rule_id", "post_id", "kind", "terms", "published", "created_at"}, func(k int) []any {
		i := alertPosts[k]
		return []any{k + 1, fmt.Sprintf("%064x", i), y.matchRule(i), i, "instant", `["x"]`, 1, y.postAt(i).Add(2 * time.Second)}
	})
	// Deliveries: a file delivery per alert, a Slack one for every other; a few dead or failed.
	step("deliveries", len(alertPosts)*3/2, []string{"alert_id", "sink", "status", "attempts", "next_attempt_at", "alert_json", "updated_at", "sent_at"}, func(k int) []any {
		alert, sink := k/3*2+1, "file"
		switch k % 3 {
		case 1:
			alert, sink = k/3*2+1, "slack"
		case 2:
			alert = k/3*2 + 2
		}
		at := y.postAt(alertPosts[alert-1]).Add(3 * time.Second)
		status, next, sent := "sent", any(nil), any(at)
		switch alert % 100 {
		case 0, 1:
			status, sent = "dead", nil
		case 2:
			status, next, sent = "failed", at.Add(time.Hour), nil
		}
		return []any{alert, sink, status, 1, next, `{"v":1}`, at, sent}
	})
	var eventPosts []int
	for k := 1; k <= y.matches(); k++ {
		if i := y.matchPost(k); !y.instant(i) {
			eventPosts = append(eventPosts, i)
		}
	}
	step("rule_events", len(eventPosts), []string{"rule_id", "group_key", "post_id", "at"}, func(k int) []any {
		i := eventPosts[k]
		return []any{y.matchRule(i), "*", i, y.postAt(i)}
	})
	runs := y.n / yearPostsPerCrawl
	step("crawl_runs", runs, []string{"job_id", "source", "started_at", "finished_at", "verdict", "pages", "posts_new", "posts_seen"}, func(k int) []any {
		at := y.start.Add(time.Duration(int64(y.end.Sub(y.start)) / int64(runs) * int64(k)))
		return []any{fmt.Sprintf("%s@%d", y.postSource(k), at.Unix()), y.postSource(k), at, at.Add(30 * time.Second), "ok", 3, 5, 40}
	})
	days := int(y.end.Sub(y.start).Hours()/24) + 1
	step("keyword_daily", days*yearRules*yearKeywordsPerDay, []string{"day", "rule_id", "group_by", "group_key", "matches", "updated_at"}, func(k int) []any {
		day := y.start.UTC().Truncate(24*time.Hour).AddDate(0, 0, k/(yearRules*yearKeywordsPerDay))
		rule := (k/yearKeywordsPerDay)%yearRules + 1
		by, key := "rule", "*"
		if j := k % yearKeywordsPerDay; j > 0 && j <= 5 {
			by, key = "source", y.postSource(j)
		} else if j > 5 {
			by, key = "term", yearWords[j]
		}
		return []any{day, rule, by, key, 3, y.end}
	})
	step("silences", 10, []string{"rule", "group_key", "ends_at", "reason", "created_at"}, func(k int) []any {
		return []any{fmt.Sprintf("rule-%02d", k+1), "", y.end.Add(-time.Duration(k) * 24 * time.Hour), "bench", y.start}
	})
}
