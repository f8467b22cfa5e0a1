package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/pipeline"
)

// outcome is what a run left behind in MySQL and Redis.
type outcome struct {
	posts, matches, alerts, sent int
	poisoned                     int64
	// latencies are, for each stored alert, its created_at minus its post's publish time.
	latencies []time.Duration
}

// readOutcome counts the rows the run stored and works out each alert's latency. Alert rows
// carry created_at (the store's clock, in this process); the post's external id maps it back
// to the time the benchmark published the post.
func readOutcome(ctx context.Context, db *sql.DB, rdb *redis.Client, topics pipeline.Topics, sent []time.Time) (outcome, error) {
	var o outcome
	for _, c := range []struct {
		dst  *int
		stmt string
	}{
		{&o.posts, "SELECT COUNT(*) FROM posts"},
		{&o.matches, "SELECT COUNT(*) FROM matches"},
		{&o.alerts, "SELECT COUNT(*) FROM alerts"},
		{&o.sent, "SELECT COUNT(*) FROM deliveries WHERE status = 'sent'"},
	} {
		if err := db.QueryRowContext(ctx, c.stmt).Scan(c.dst); err != nil {
			return o, fmt.Errorf("cannot count (%s): %w", c.stmt, err)
		}
	}
	for _, t := range []string{topics.Raw(), topics.Normalized(), topics.Matched(), topics.Alerts()} {
		n, err := rdb.XLen(ctx, pipeline.Poison(t)).Result()
		if err != nil {
			return o, fmt.Errorf("cannot read length of %s: %w", pipeline.Poison(t), err)
		}
		o.poisoned += n
	}
	rows, err := db.QueryContext(ctx, `SELECT p.external_id, a.created_at FROM alerts a JOIN posts p ON p.id = a.post_id`)
	if err != nil {
		return o, fmt.Errorf("cannot read alerts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var created time.Time
		if err := rows.Scan(&id, &created); err != nil {
			return o, err
		}
		i, err := strconv.Atoi(id)
		if err != nil || i < 0 || i >= len(sent) {
			return o, fmt.Errorf("alert on post %q, which the benchmark did not publish", id)
		}
		o.latencies = append(o.latencies, created.Sub(sent[i]))
	}
	return o, rows.Err()
}

// check compares what was stored with what the posts must give.
func (o outcome) check(posts, wantAlerts int) error {
	switch {
	case o.poisoned > 0:
		return fmt.Errorf("%d messages were poisoned", o.poisoned)
	case o.posts != posts:
		return fmt.Errorf("%d posts stored, want %d", o.posts, posts)
	case o.alerts != wantAlerts:
		return fmt.Errorf("%d alerts stored, want %d", o.alerts, wantAlerts)
	case o.matches != wantAlerts:
		return fmt.Errorf("%d matches stored, want %d (one rule per matching post)", o.matches, wantAlerts)
	case o.sent != wantAlerts:
		return fmt.Errorf("%d deliveries sent to the file sink, want %d", o.sent, wantAlerts)
	}
	return nil
}

// percentile is the nearest-rank percentile p (0–100] of sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return float64(sorted[max(i, 0)]) / float64(time.Millisecond)
}

// latencyMS returns p50, p99 and the maximum, in milliseconds.
func latencyMS(latencies []time.Duration) (p50, p99, worst float64) {
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	return percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100)
}
