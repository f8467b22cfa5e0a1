package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/store"
)

// StatusReport is `pipeline status`: celery inspect and kafka-consumer-groups --describe in
// one. It names no secret: no URL, DSN, token or cookie.
type StatusReport struct {
	Topics  []TopicStatus  `json:"topics"`
	Sources []SourceStatus `json:"sources"`
	// Deliveries counts the deliveries per status; "sent" is counted up to SentCountCap, and
	// a count at the cap means at least that many.
	Deliveries map[string]int64 `json:"deliveries"`
	// Unreachable names what could not be read ("redis", "mysql") and why. The rest of the
	// report stands: with Redis down the sources and deliveries still show, and the other
	// way round.
	Unreachable map[string]string `json:"unreachable,omitempty"`
}

// SentCountCap is where the count of sent deliveries stops (store.SentCountCap).
const SentCountCap = store.SentCountCap

// Status sources whose reports may be missing.
const (
	StatusRedis = "redis"
	StatusMySQL = "mysql"
)

// TopicStatus is one stream and its consumer groups.
type TopicStatus struct {
	Topic  string        `json:"topic"`
	Length int64         `json:"length"`
	Oldest *time.Time    `json:"oldest,omitempty"`
	Newest *time.Time    `json:"newest,omitempty"`
	Groups []GroupStatus `json:"groups,omitempty"`
	// Retention is what the topic holds and what age trimming would remove (not for
	// poison topics, which are kept for people).
	Retention *TopicRetention `json:"retention,omitempty"`
	// Partitions are the streams of a topic with topics.partitions over 1, each with its own
	// figures; the topic's are their sums.
	Partitions []TopicStatus `json:"partitions,omitempty"`
}

// GroupStatus is one consumer group: how far behind it is and who holds what.
type GroupStatus struct {
	Group string `json:"group"`
	// Lag is entries not yet delivered to the group, never negative: where Redis cannot tell
	// (after trimming, deletions or a rewind) the entries after the group's position are
	// counted, up to lagCountLimit; LagAtLeast then says the count stopped there.
	Lag        int64 `json:"lag"`
	LagAtLeast bool  `json:"lag_at_least,omitempty"`
	// Error says what is wrong with the group: positioned past the stream's last id, it
	// skips every entry added until then.
	Error     string           `json:"error,omitempty"`
	Pending   int64            `json:"pending"`
	Consumers []ConsumerStatus `json:"consumers"`
}

// ConsumerStatus is one consumer of a group.
type ConsumerStatus struct {
	Name    string        `json:"name"`
	Pending int64         `json:"pending"`
	Idle    time.Duration `json:"idle_ns"`
}

// SourceStatus is one source's crawl state.
type SourceStatus struct {
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	LastCrawl   *time.Time `json:"last_crawl,omitempty"`
	LastVerdict string     `json:"last_verdict,omitempty"`
	LastNewPost *time.Time `json:"last_new_post,omitempty"`
	NextDue     *time.Time `json:"next_due,omitempty"`
}

// StatusStore is what `pipeline status` reads of MySQL (store.Admin).
type StatusStore interface {
	DeliveryCounts(ctx context.Context) (map[string]int64, error)
	Sources(ctx context.Context) ([]store.SourceRow, error)
}

// Status reads the report from Redis and MySQL. Either may be nil (not reachable): what the
// other holds is reported all the same, and Unreachable says what is missing.
func Status(ctx context.Context, cfg *config.Config, rdb redis.UniversalClient, db StatusStore) (StatusReport, error) {
	rep := StatusReport{Deliveries: map[string]int64{}, Unreachable: map[string]string{}}
	if rdb == nil {
		rep.Unreachable[StatusRedis] = "not connected"
	} else if err := rep.readTopics(ctx, cfg, rdb); err != nil {
		rep.Unreachable[StatusRedis] = err.Error()
	}
	var stored []store.SourceRow
	if db == nil {
		rep.Unreachable[StatusMySQL] = "not connected"
	} else {
		var err error
		if stored, err = rep.readMySQL(ctx, db); err != nil {
			rep.Unreachable[StatusMySQL] = err.Error()
		}
	}
	byName := map[string]store.SourceRow{}
	for _, s := range stored {
		byName[s.Name] = s
	}
	_, mysqlDown := rep.Unreachable[StatusMySQL]
	now := time.Now()
	for _, src := range cfg.Sources {
		ss := SourceStatus{Name: src.Name, Kind: src.Kind, State: crawl.StateOK}
		if mysqlDown {
			ss.State = "unknown"
		}
		if row, ok := byName[src.Name]; ok {
			ss.State, ss.LastVerdict = row.State, row.LastVerdict
			ss.PausedUntil, ss.LastCrawl, ss.LastNewPost = row.PausedUntil, row.LastCrawl, row.LastNewPost
		}
		if next, err := crawl.Schedule(src); err == nil {
			due := next(now).UTC()
			ss.NextDue = &due
		}
		rep.Sources = append(rep.Sources, ss)
	}
	if len(rep.Unreachable) == 0 {
		rep.Unreachable = nil
	}
	return rep, nil
}

func (rep *StatusReport) readTopics(ctx context.Context, cfg *config.Config, rdb redis.UniversalClient) error {
	t := TopicsOf(cfg)
	for _, topic := range t.All() {
		for _, poison := range []bool{false, true} {
			var parts []TopicStatus
			for _, stream := range t.Streams(topic) {
				if poison {
					stream = Poison(stream)
				}
				ts, err := topicStatus(ctx, rdb, stream)
				if err != nil {
					return err
				}
				if !poison { // poison topics are kept for people, not trimmed
					if ts.Retention, err = topicRetention(ctx, rdb, stream, cfg.Topics.MaxAge, time.Now()); err != nil {
						return err
					}
				}
				parts = append(parts, ts)
			}
			name := topic
			if poison {
				name = Poison(topic)
			}
			sum := sumPartitions(name, parts)
			if !poison {
				sum.Retention = sumRetention(parts)
			}
			rep.Topics = append(rep.Topics, sum)
		}
	}
	return nil
}

// sumPartitions is a topic's status from its partitions': lengths, lags and pending added,
// the oldest and newest entry of all, each group's consumers together. One partition is
// reported as it is.
func sumPartitions(topic string, parts []TopicStatus) TopicStatus {
	if len(parts) == 1 {
		return parts[0]
	}
	sum := TopicStatus{Topic: topic, Partitions: parts}
	groups := map[string]int{}
	for _, p := range parts {
		sum.Length += p.Length
		if p.Oldest != nil && (sum.Oldest == nil || p.Oldest.Before(*sum.Oldest)) {
			sum.Oldest = p.Oldest
		}
		if p.Newest != nil && (sum.Newest == nil || p.Newest.After(*sum.Newest)) {
			sum.Newest = p.Newest
		}
		for _, g := range p.Groups {
			i, ok := groups[g.Group]
			if !ok {
				i = len(sum.Groups)
				groups[g.Group] = i
				sum.Groups = append(sum.Groups, GroupStatus{Group: g.Group})
			}
			s := &sum.Groups[i]
			s.Lag += g.Lag
			s.LagAtLeast = s.LagAtLeast || g.LagAtLeast
			s.Pending += g.Pending
			s.Consumers = append(s.Consumers, g.Consumers...)
			if g.Error != "" {
				s.Error = strings.TrimSpace(s.Error + " " + p.Topic + ": " + g.Error)
			}
		}
	}
	return sum
}

func (rep *StatusReport) readMySQL(ctx context.Context, db StatusStore) ([]store.SourceRow, error) {
	counts, err := db.DeliveryCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot count deliveries: %w", err)
	}
	for status, n := range counts {
		rep.Deliveries[status] = n
	}
	stored, err := db.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot list sources: %w", err)
	}
	return stored, nil
}

func topicStatus(ctx context.Context, rdb redis.UniversalClient, topic string) (TopicStatus, error) {
	ts := TopicStatus{Topic: topic}
	n, err := rdb.XLen(ctx, topic).Result()
	if err != nil {
		return ts, fmt.Errorf("cannot read %s: %w", topic, err)
	}
	ts.Length = n
	if n > 0 {
		if first, err := rdb.XRangeN(ctx, topic, "-", "+", 1).Result(); err == nil && len(first) > 0 {
			ts.Oldest = idTime(first[0].ID)
		}
		if last, err := rdb.XRevRangeN(ctx, topic, "+", "-", 1).Result(); err == nil && len(last) > 0 {
			ts.Newest = idTime(last[0].ID)
		}
	}
	// Groups even of an empty stream: trimming can leave entries pending with them.
	groups, err := rdb.XInfoGroups(ctx, topic).Result()
	if err != nil && !errors.Is(err, redis.Nil) && !isNoStream(err) {
		return ts, fmt.Errorf("cannot read groups of %s: %w", topic, err)
	}
	lastID := ""
	if len(groups) > 0 {
		if info, err := rdb.XInfoStream(ctx, topic).Result(); err == nil {
			lastID = info.LastGeneratedID
		}
	}
	for _, g := range groups {
		gs := GroupStatus{Group: g.Name, Lag: g.Lag, Pending: g.Pending}
		switch {
		case lastID != "" && compareIDs(g.LastDeliveredID, lastID) > 0:
			gs.Lag = 0
			gs.Error = fmt.Sprintf("positioned at %s, past the stream's last id %s: it skips every entry added until then; "+
				"rewind it with pipeline replay --group %s", g.LastDeliveredID, lastID, g.Name)
		case g.Lag < 0:
			n, atLeast, err := countAfter(ctx, rdb, topic, g.LastDeliveredID)
			if err != nil {
				return ts, err
			}
			gs.Lag, gs.LagAtLeast = n, atLeast
		}
		consumers, err := rdb.XInfoConsumers(ctx, topic, g.Name).Result()
		if err != nil {
			return ts, fmt.Errorf("cannot read consumers of %s/%s: %w", topic, g.Name, err)
		}
		for _, c := range consumers {
			gs.Consumers = append(gs.Consumers, ConsumerStatus{Name: c.Name, Pending: c.Pending, Idle: c.Idle})
		}
		ts.Groups = append(ts.Groups, gs)
	}
	return ts, nil
}

// lagCountLimit bounds how many entries status reads to count a lag Redis cannot tell.
const lagCountLimit = 100_000

// countAfter counts the entries after id, up to lagCountLimit (atLeast: there are more).
func countAfter(ctx context.Context, rdb redis.UniversalClient, topic, id string) (n int64, atLeast bool, err error) {
	start := "(" + id
	for n < lagCountLimit {
		entries, err := rdb.XRangeN(ctx, topic, start, "+", 1000).Result()
		if err != nil {
			return n, false, fmt.Errorf("cannot count the lag on %s: %w", topic, err)
		}
		n += int64(len(entries))
		if len(entries) < 1000 {
			return n, false, nil
		}
		start = "(" + entries[len(entries)-1].ID
	}
	return n, true, nil
}

// idTime is when a stream entry was added: the milliseconds part of its id.
func idTime(id string) *time.Time {
	sid, ok := parseStreamID(id)
	if !ok {
		return nil
	}
	t := sid.added()
	return &t
}
