package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"groupwatch/queries"
)

// Cutoffs say which rows a purge removes: those older than each time. A zero time keeps the
// table's rows.
type Cutoffs struct {
	Posts, CrawlRuns, Alerts, Deliveries, KeywordDaily time.Time
}

// Tables a purge reports on, in the order it purges them: alerts first (with their
// deliveries), so the posts they kept go in the same pass.
var PurgeTables = []string{"alerts", "deliveries", "posts", "matches", "rule_events", "crawl_runs", "keyword_daily"}

// Removed counts rows by table.
type Removed map[string]int64

// Purge deletes the rows older than the cutoffs, at most batch rows per statement, calling
// pause between statements (it returns early with what was removed when pause or a
// statement fails). A post an alert refers to is kept while the alert is; a purged post's
// matches and rule events go with it; an alert's deliveries go with it, and an alert with a
// delivery still to be sent is kept. keyword_daily holds counts, not posts: it is purged only
// by its own cutoff.
func (s *Store) Purge(ctx context.Context, c Cutoffs, batch int, pause func(context.Context) error) (Removed, error) {
	if batch < 1 {
		return nil, errors.New("purge batch must be at least 1")
	}
	removed := Removed{}
	q := s.q
	limit := int32(batch)
	// step runs one batch statement, then pauses; more says whether to run it again.
	step := func(what string, fn func() (more bool, err error)) error {
		for {
			more, err := fn()
			if err != nil {
				return fmt.Errorf("cannot purge %s: %w", what, err)
			}
			if !more {
				return nil
			}
			if err := pause(ctx); err != nil {
				return err
			}
		}
	}
	if !c.Alerts.IsZero() {
		var after int64
		err := step("alerts", func() (bool, error) {
			ids, err := q.PurgeableAlertIDs(ctx, queries.PurgeableAlertIDsParams{Before: c.Alerts, AfterID: after, Limit: limit})
			if err != nil || len(ids) == 0 {
				return false, err
			}
			after = ids[len(ids)-1]
			n, err := q.DeleteDeliveriesOfAlerts(ctx, ids)
			if err != nil {
				return false, err
			}
			removed["deliveries"] += n
			n, err = q.DeleteAlertsByID(ctx, ids)
			removed["alerts"] += n
			return len(ids) == batch, err
		})
		if err != nil {
			return removed, err
		}
	}
	if !c.Deliveries.IsZero() {
		err := step("deliveries", func() (bool, error) {
			n, err := q.DeleteOldDeliveries(ctx, queries.DeleteOldDeliveriesParams{UpdatedAt: c.Deliveries, Limit: limit})
			removed["deliveries"] += n
			return n == int64(batch), err
		})
		if err != nil {
			return removed, err
		}
	}
	if !c.Posts.IsZero() {
		maxID, err := q.PostsPurgeBoundary(ctx, c.Posts)
		if errors.Is(err, sql.ErrNoRows) {
			maxID, err = 0, nil
		}
		if err != nil {
			return removed, fmt.Errorf("cannot purge posts: %w", err)
		}
		var after int64
		err = step("posts", func() (bool, error) {
			if maxID == 0 {
				return false, nil
			}
			ids, err := q.PurgeablePostIDs(ctx, queries.PurgeablePostIDsParams{AfterID: after, MaxID: maxID, Before: c.Posts, Limit: limit})
			if err != nil || len(ids) == 0 {
				return false, err
			}
			after = ids[len(ids)-1]
			// Posts first: a match or rule event goes only once its post is gone, so
			// nothing is left half deleted when a statement fails.
			n, err := q.DeletePostsByID(ctx, ids)
			if err != nil {
				return false, err
			}
			removed["posts"] += n
			if n, err = q.DeleteOrphanMatches(ctx, ids); err != nil {
				return false, err
			}
			removed["matches"] += n
			n, err = q.DeleteOrphanRuleEvents(ctx, ids)
			removed["rule_events"] += n
			return len(ids) == batch, err
		})
		if err != nil {
			return removed, err
		}
	}
	if !c.CrawlRuns.IsZero() {
		err := step("crawl runs", func() (bool, error) {
			n, err := q.DeleteOldCrawlRuns(ctx, queries.DeleteOldCrawlRunsParams{StartedAt: c.CrawlRuns, Limit: limit})
			removed["crawl_runs"] += n
			return n == int64(batch), err
		})
		if err != nil {
			return removed, err
		}
	}
	if !c.KeywordDaily.IsZero() {
		err := step("daily counts", func() (bool, error) {
			n, err := q.DeleteOldKeywordDaily(ctx, queries.DeleteOldKeywordDailyParams{Day: c.KeywordDaily, Limit: limit})
			removed["keyword_daily"] += n
			return n == int64(batch), err
		})
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// Purgeable counts what Purge would remove now, and how many old posts it keeps because an
// alert refers to them. It only reads (counting a year of posts takes seconds).
func (s *Store) Purgeable(ctx context.Context, c Cutoffs) (would Removed, keptForAlerts int64, err error) {
	q := s.q
	would = Removed{}
	if !c.Alerts.IsZero() {
		if would["alerts"], err = q.CountPurgeableAlerts(ctx, c.Alerts); err != nil {
			return nil, 0, err
		}
	}
	if !c.Deliveries.IsZero() {
		if would["deliveries"], err = q.CountOldDeliveries(ctx, c.Deliveries); err != nil {
			return nil, 0, err
		}
	}
	if !c.Posts.IsZero() {
		maxID, err := q.PostsPurgeBoundary(ctx, c.Posts)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, 0, err
		}
		if maxID > 0 {
			if would["posts"], err = q.CountPurgeablePosts(ctx, queries.CountPurgeablePostsParams{MaxID: maxID, Before: c.Posts}); err != nil {
				return nil, 0, err
			}
			if would["matches"], err = q.CountMatchesOfPurgeablePosts(ctx, queries.CountMatchesOfPurgeablePostsParams{MaxID: maxID, Before: c.Posts}); err != nil {
				return nil, 0, err
			}
			// Alerts purged in the same pass free their posts: counted as kept here.
			if keptForAlerts, err = q.CountPostsKeptForAlerts(ctx, queries.CountPostsKeptForAlertsParams{MaxID: maxID, Before: c.Posts}); err != nil {
				return nil, 0, err
			}
		}
	}
	if !c.CrawlRuns.IsZero() {
		if would["crawl_runs"], err = q.CountOldCrawlRuns(ctx, c.CrawlRuns); err != nil {
			return nil, 0, err
		}
	}
	if !c.KeywordDaily.IsZero() {
		if would["keyword_daily"], err = q.CountOldKeywordDaily(ctx, c.KeywordDaily); err != nil {
			return nil, 0, err
		}
	}
	return would, keptForAlerts, nil
}
