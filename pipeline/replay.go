package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/redis/go-redis/v9"
)

// ReplayPlan is what `pipeline replay` will do, as its dry run prints it.
type ReplayPlan struct {
	Topic   string
	FromID  string // inclusive
	ToID    string // inclusive; "+" for the end
	Entries int64
	First   *time.Time
	Last    *time.Time
	Group   string // rewind (or create) this group to FromID
	ToTopic string // or copy the entries to this topic, marked replay
}

// StreamID reads a replay bound: a stream id ("1700000000000-0"), or a time (RFC 3339, or
// a duration ago like 2h or 7d) turned into the first id of that millisecond.
func StreamID(v string, now time.Time) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", errors.New("empty bound")
	case v == "-" || v == "+":
		return v, nil
	}
	if ms, seq, ok := strings.Cut(v, "-"); ok {
		if _, err := strconv.ParseUint(ms, 10, 64); err == nil {
			if _, err := strconv.ParseUint(seq, 10, 64); err == nil {
				return v, nil
			}
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return fmt.Sprintf("%d-0", t.UnixMilli()), nil
	}
	if d, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n >= 0 {
			return fmt.Sprintf("%d-0", now.Add(-time.Duration(n)*24*time.Hour).UnixMilli()), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return fmt.Sprintf("%d-0", now.Add(-d).UnixMilli()), nil
	}
	return "", fmt.Errorf("%q is neither a stream id (1700000000000-0), an RFC 3339 time nor a duration ago (2h, 7d)", v)
}

// PlanReplay counts the entries in range, for the dry run and the progress bar.
func PlanReplay(ctx context.Context, rdb *redis.Client, p ReplayPlan) (ReplayPlan, error) {
	if (p.Group == "") == (p.ToTopic == "") {
		return p, errors.New("give --group G (rewind or create a consumer group) or --to-topic T2 (copy), not both")
	}
	if p.Group != "" && p.ToID != "+" {
		return p, errors.New("--to works with --to-topic only: a rewound group reads on to the end of the stream")
	}
	start := p.FromID
	for {
		entries, err := rdb.XRangeN(ctx, p.Topic, start, p.ToID, 1000).Result()
		if err != nil {
			return p, fmt.Errorf("cannot read %s: %w", p.Topic, err)
		}
		for _, e := range entries {
			if p.First == nil {
				p.First = idTime(e.ID)
			}
			p.Last = idTime(e.ID)
			p.Entries++
		}
		if len(entries) < 1000 {
			return p, nil
		}
		start = "(" + entries[len(entries)-1].ID
	}
}

// Replay carries out a plan. progress is told how many entries are done.
func Replay(ctx context.Context, rdb *redis.Client, p ReplayPlan, progress func(done int64)) error {
	if p.Group != "" {
		return rewindGroup(ctx, rdb, p)
	}
	start, done := p.FromID, int64(0)
	codec := redisstream.DefaultMarshallerUnmarshaller{}
	for {
		entries, err := rdb.XRangeN(ctx, p.Topic, start, p.ToID, 500).Result()
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", p.Topic, err)
		}
		pipe := rdb.Pipeline()
		for _, e := range entries {
			values := e.Values
			// Mark a watermill message as a replay; a foreign entry is copied as it is and
			// will be poisoned as it was.
			if msg, err := codec.Unmarshal(e.Values); err == nil {
				msg.Metadata.Set(MetaReplay, "true")
				if v, err := codec.Marshal(p.ToTopic, msg); err == nil {
					values = v
				}
			}
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: p.ToTopic, Values: values})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("cannot write to %s after %d entries: %w", p.ToTopic, done, err)
		}
		done += int64(len(entries))
		progress(done)
		if len(entries) < 500 {
			return nil
		}
		start = "(" + entries[len(entries)-1].ID
	}
}

// rewindGroup sets an existing group's last delivered id just before FromID, or creates the
// group there: its consumers then read the entries again. Entries pending with the group stay
// pending (they are delivered again by the claim as usual).
func rewindGroup(ctx context.Context, rdb *redis.Client, p ReplayPlan) error {
	before := beforeID(p.FromID)
	err := rdb.XGroupSetID(ctx, p.Topic, p.Group, before).Err()
	if err != nil && strings.Contains(err.Error(), "NOGROUP") {
		err = rdb.XGroupCreate(ctx, p.Topic, p.Group, before).Err()
	}
	if err != nil {
		return fmt.Errorf("cannot rewind group %s of %s: %w", p.Group, p.Topic, err)
	}
	return nil
}

// beforeID is the id just before id, so that a group set there reads id next.
func beforeID(id string) string {
	if id == "-" {
		return "0"
	}
	ms, seq, _ := strings.Cut(id, "-")
	m, _ := strconv.ParseUint(ms, 10, 64)
	s, _ := strconv.ParseUint(seq, 10, 64)
	switch {
	case s > 0:
		return fmt.Sprintf("%d-%d", m, s-1)
	case m > 0:
		return fmt.Sprintf("%d-%d", m-1, uint64(1<<63-1))
	}
	return "0"
}
