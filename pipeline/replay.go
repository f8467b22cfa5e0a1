package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"groupwatch/streams"
)

// ReplayPlan is what `pipeline replay` will do, as its dry run prints it.
type ReplayPlan struct {
	Topic  string
	FromID string // inclusive
	// ToID is inclusive. "+" (the end) is fixed by PlanReplay at the last entry present
	// when the replay is planned: entries added afterwards (a copy's own, among others) are
	// not replayed.
	ToID    string
	Entries int64
	First   *time.Time
	Last    *time.Time
	Group   string // rewind this group to FromID
	// CreateGroup lets a Group that does not exist be created at FromID; without it an
	// unknown group is refused, since a mistyped name would otherwise start a new group
	// that nobody reads while the real one is left as it was.
	CreateGroup bool
	ToTopic     string // or copy the entries to this topic, marked replay
	// Partition, with topics.partitions over 1, is the one partition to replay, or
	// AllPartitions; Parts are the plans of the partitions covered (Replayer.Plan).
	Partition int
	Parts     []ReplayPlan
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
	if _, ok := parseStreamID(v); ok && strings.Contains(v, "-") {
		return v, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		if t.Before(time.Unix(0, 0)) {
			return "", fmt.Errorf("%q is before 1970, where stream ids start", v)
		}
		return fmt.Sprintf("%d-0", t.UnixMilli()), nil
	}
	d, err := ParseAgo(v)
	if err != nil {
		if strings.Contains(err.Error(), "too long ago") {
			return "", err
		}
		return "", fmt.Errorf("%q is neither a stream id (1700000000000-0), an RFC 3339 time nor a duration ago (2h, 7d)", v)
	}
	t, err := Ago(now, d)
	if err != nil {
		return "", fmt.Errorf("%q: %w", v, err)
	}
	return fmt.Sprintf("%d-0", t.UnixMilli()), nil
}

// PlanReplay checks a replay and counts the entries in range, for the dry run and the
// progress bar. It refuses what would lose or multiply entries: a group rewound past the
// stream's last entry (it would skip every entry added until then), an unknown group
// without CreateGroup, --to before --from, and a copy of a topic into itself.
func PlanReplay(ctx context.Context, rdb redis.UniversalClient, p ReplayPlan) (ReplayPlan, error) {
	if err := p.check(); err != nil {
		return p, err
	}
	last, err := lastEntryID(ctx, rdb, p.Topic)
	if err != nil {
		return p, err
	}
	if p.Group != "" {
		if last == "" {
			return p, fmt.Errorf("%s has no entries: %w", p.Topic, errNothingInRange)
		}
		if compareBounds(p.FromID, last) > 0 {
			return p, fmt.Errorf("--from %s is after the last entry of %s (%s): the group would skip every entry added until then; give an earlier --from (%w)", p.FromID, p.Topic, last, errNothingInRange)
		}
		if err := checkGroup(ctx, rdb, p); err != nil {
			return p, err
		}
	}
	if last == "" {
		return p, nil // an empty topic: nothing to copy
	}
	end := p.ToID
	if end == "+" {
		end = last
		if p.ToTopic != "" {
			p.ToID = last // the copy stops here (a group reads on to the end)
		}
	}
	start := p.FromID
	for {
		entries, err := rdb.XRangeN(ctx, p.Topic, start, end, 1000).Result()
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

// errNothingInRange: a group rewind finds no entry at or after --from.
var errNothingInRange = errors.New("nothing to replay")

// check refuses the plans that make no sense whatever the stream holds.
func (p ReplayPlan) check() error {
	switch {
	case (p.Group == "") == (p.ToTopic == ""):
		return errors.New("give --group G (rewind a consumer group) or --to-topic T2 (copy), not both")
	case p.Group != "" && p.ToID != "+":
		return errors.New("--to works with --to-topic only: a rewound group reads on to the end of the stream")
	case p.ToTopic != "" && p.ToTopic == p.Topic:
		return fmt.Errorf("--to-topic %s is the topic replayed: a copy into itself would read its own copies; rewind the stage's group with --group instead", p.ToTopic)
	case compareBounds(p.ToID, p.FromID) < 0:
		return fmt.Errorf("--to %s is before --from %s", p.ToID, p.FromID)
	}
	return nil
}

// checkGroup refuses a group the topic does not have, unless it may be created.
func checkGroup(ctx context.Context, rdb redis.UniversalClient, p ReplayPlan) error {
	groups, err := rdb.XInfoGroups(ctx, p.Topic).Result()
	if err != nil && !isNoStream(err) {
		return fmt.Errorf("cannot read the groups of %s: %w", p.Topic, err)
	}
	var names []string
	for _, g := range groups {
		if g.Name == p.Group {
			return nil
		}
		names = append(names, g.Name)
	}
	if p.CreateGroup {
		return nil
	}
	have := "none"
	if len(names) > 0 {
		have = strings.Join(names, ", ")
	}
	return fmt.Errorf("%s has no consumer group %q (it has: %s): check the name, or add --create-group to start a new group there", p.Topic, p.Group, have)
}

// Replay carries out a plan. progress is told how many entries are done.
func Replay(ctx context.Context, rdb redis.UniversalClient, p ReplayPlan, progress func(done int64)) error {
	if err := p.check(); err != nil {
		return err
	}
	if p.Group != "" {
		return rewindGroup(ctx, rdb, p)
	}
	if p.ToID == "+" {
		// Fixed now: a copy must not chase the entries it adds.
		last, err := lastEntryID(ctx, rdb, p.Topic)
		if err != nil || last == "" {
			return err
		}
		p.ToID = last
	}
	start, done := p.FromID, int64(0)
	codec := streams.DefaultMarshaller{}
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
// group there when CreateGroup allows it: its consumers then read the entries again. Entries pending with the group stay
// pending (they are delivered again by the claim as usual).
func rewindGroup(ctx context.Context, rdb redis.UniversalClient, p ReplayPlan) error {
	before := beforeID(p.FromID)
	err := rdb.XGroupSetID(ctx, p.Topic, p.Group, before).Err()
	if err != nil && strings.Contains(err.Error(), "NOGROUP") && p.CreateGroup {
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
	sid, _ := parseStreamID(id)
	switch {
	case sid.seq > 0:
		return fmt.Sprintf("%d-%d", sid.ms, sid.seq-1)
	case sid.ms > 0:
		return fmt.Sprintf("%d-%d", sid.ms-1, uint64(1<<63-1))
	}
	return "0"
}
