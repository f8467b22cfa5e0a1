package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/leader"
)

// TopicRetention is what a topic holds and what the leader's age trimming would remove from
// it now (leader/retention.go).
type TopicRetention struct {
	// Bytes is Redis's estimate of the stream's memory (MEMORY USAGE); 0 where the server
	// does not say (the stand-in).
	Bytes int64 `json:"bytes,omitempty"`
	// MaxAge is topics.max_age; 0: never trimmed.
	MaxAge time.Duration `json:"max_age_ns"`
	// Removable counts the entries below the trim point: older than max_age, and read and
	// acked by every group. Trimming is approximate (whole nodes), so it removes up to these.
	// Counted up to lagCountLimit; RemovableAtLeast then says there are more.
	Removable        int64 `json:"removable"`
	RemovableAtLeast bool  `json:"removable_at_least,omitempty"`
	// HeldBy is the group whose unread or pending entries (HeldFor) hold the trim point
	// below max_age: a lagging or stopped group keeps its stream growing.
	HeldBy  string `json:"held_by,omitempty"`
	HeldFor string `json:"held_for,omitempty"`
}

func topicRetention(ctx context.Context, rdb redis.UniversalClient, topic string, maxAge time.Duration, now time.Time) (*TopicRetention, error) {
	tr := &TopicRetention{}
	if n, err := rdb.MemoryUsage(ctx, topic).Result(); err == nil {
		tr.Bytes = n
	}
	if maxAge <= 0 {
		return tr, nil
	}
	tr.MaxAge = maxAge
	tp, err := leader.SafeTrimPoint(ctx, rdb, topic, now.Add(-maxAge))
	if err != nil {
		return tr, err
	}
	tr.HeldBy, tr.HeldFor = tp.HeldBy, tp.HeldFor
	if tp.MinID == "0-0" { // a group at the very start: nothing can go (and "(0-0" is no range)
		return tr, nil
	}
	start := "-"
	for tr.Removable < lagCountLimit {
		entries, err := rdb.XRangeN(ctx, topic, start, "("+tp.MinID, 1000).Result()
		if err != nil {
			if isNoStream(err) {
				return tr, nil
			}
			return tr, fmt.Errorf("cannot count what trimming %s would remove: %w", topic, err)
		}
		tr.Removable += int64(len(entries))
		if len(entries) < 1000 {
			return tr, nil
		}
		start = "(" + entries[len(entries)-1].ID
	}
	tr.RemovableAtLeast = true
	return tr, nil
}

// sumRetention is a topic's retention over its partitions' streams: their sums, and the first
// group that holds one back.
func sumRetention(parts []TopicStatus) *TopicRetention {
	if len(parts) == 1 {
		return parts[0].Retention
	}
	var sum *TopicRetention
	for _, p := range parts {
		r := p.Retention
		if r == nil {
			continue
		}
		if sum == nil {
			sum = &TopicRetention{MaxAge: r.MaxAge}
		}
		sum.Bytes += r.Bytes
		sum.Removable += r.Removable
		sum.RemovableAtLeast = sum.RemovableAtLeast || r.RemovableAtLeast
		if sum.HeldBy == "" && r.HeldBy != "" {
			sum.HeldBy, sum.HeldFor = r.HeldBy, r.HeldFor
		}
	}
	return sum
}
