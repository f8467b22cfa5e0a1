package leader

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// TrimPoint is where age trimming may cut a stream: entries with smaller ids go.
type TrimPoint struct {
	// MinID is the XTRIM MINID argument: every entry below it may go. "0-0": none.
	MinID string
	// HeldBy names the consumer group whose unread or pending entries hold MinID below the
	// age cutoff; empty when the age alone decides.
	HeldBy string
	// HeldFor says what that group holds: "unread" or "pending".
	HeldFor string
}

// SafeTrimPoint is the age cutoff of topic, moved back so that trimming never drops an entry
// some consumer group has not read (after its last-delivered id) or has read and not acked
// (its oldest pending id). A stream no group reads is trimmed by age alone. Group positions
// only move forward and pending entries only leave, so a point read now stays safe until the
// trim; a group created or rewound in between (pipeline replay) to an id below it is the one
// case it cannot see.
func SafeTrimPoint(ctx context.Context, rdb redis.Cmdable, topic string, cutoff time.Time) (TrimPoint, error) {
	tp := TrimPoint{MinID: fmt.Sprintf("%d-0", max(cutoff.UnixMilli(), 0))}
	groups, err := rdb.XInfoGroups(ctx, topic).Result()
	if err != nil {
		if errors.Is(err, redis.Nil) || isNoStream(err) {
			return tp, nil
		}
		return tp, fmt.Errorf("cannot read the groups of %s: %w", topic, err)
	}
	hold := func(id, group, why string) {
		if CompareIDs(id, tp.MinID) < 0 {
			tp.MinID, tp.HeldBy, tp.HeldFor = id, group, why
		}
	}
	for _, g := range groups {
		// Entries after the last-delivered id are unread: keep that id and all after it.
		hold(g.LastDeliveredID, g.Name, "unread")
		if g.Pending == 0 {
			continue
		}
		p, err := rdb.XPending(ctx, topic, g.Name).Result()
		if err != nil {
			return tp, fmt.Errorf("cannot read what %s/%s holds: %w", topic, g.Name, err)
		}
		if p.Count > 0 {
			hold(p.Lower, g.Name, "pending")
		}
	}
	return tp, nil
}

func isNoStream(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "no such key") || strings.Contains(err.Error(), "ERR no such"))
}

// CompareIDs orders two stream ids ("ms-seq").
func CompareIDs(a, b string) int {
	am, as := splitID(a)
	bm, bs := splitID(b)
	if am != bm {
		return cmp.Compare(am, bm)
	}
	return cmp.Compare(as, bs)
}

func splitID(id string) (uint64, uint64) {
	ms, seq, _ := strings.Cut(id, "-")
	m, _ := strconv.ParseUint(ms, 10, 64)
	s, _ := strconv.ParseUint(seq, 10, 64)
	return m, s
}
