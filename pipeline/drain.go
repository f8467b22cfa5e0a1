package pipeline

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

// CaughtUp says whether every subscription's consumer group has read its whole stream and
// acked everything it read. Subscriptions must be in pipeline order: a message only moves
// downstream, and it is pending upstream until it has been published downstream, so checking
// upstream first cannot miss one in flight.
func CaughtUp(ctx context.Context, rdb redis.UniversalClient, subs []Subscription) (bool, string, error) {
	for _, s := range subs {
		last, err := lastEntryID(ctx, rdb, s.Topic)
		if err != nil {
			return false, "", err
		}
		groups, err := rdb.XInfoGroups(ctx, s.Topic).Result()
		if err != nil {
			if isNoStream(err) {
				return false, fmt.Sprintf("%s: stream not created yet", s.Topic), nil
			}
			return false, "", fmt.Errorf("cannot read groups of %s: %w", s.Topic, err)
		}
		var found bool
		for _, g := range groups {
			if g.Name != s.Stage {
				continue
			}
			found = true
			if err := checkNotPastEnd(ctx, rdb, s.Topic, g); err != nil {
				return false, "", err
			}
			if g.Pending > 0 {
				return false, fmt.Sprintf("%s/%s: %d pending", s.Topic, s.Stage, g.Pending), nil
			}
			if last != "" && compareIDs(g.LastDeliveredID, last) < 0 {
				return false, fmt.Sprintf("%s/%s: delivered up to %s of %s", s.Topic, s.Stage, g.LastDeliveredID, last), nil
			}
		}
		if !found {
			return false, fmt.Sprintf("%s: group %s not created yet", s.Topic, s.Stage), nil
		}
	}
	return true, "", nil
}

// ErrGroupPastEnd says a consumer group is positioned after its stream's last id (a rewind
// "to" the future): it skips every entry added until then.
var ErrGroupPastEnd = errors.New("consumer group positioned past the end of its stream")

// checkNotPastEnd refuses a group whose last delivered id is after the stream's last
// generated id, which no delivery can produce.
func checkNotPastEnd(ctx context.Context, rdb redis.UniversalClient, topic string, g redis.XInfoGroup) error {
	info, err := rdb.XInfoStream(ctx, topic).Result()
	if err != nil || info.LastGeneratedID == "" {
		return nil // an unreadable stream is reported by the caller's other reads
	}
	if compareIDs(g.LastDeliveredID, info.LastGeneratedID) > 0 {
		return fmt.Errorf("%w: %s/%s at %s, the stream's last id is %s; rewind it with pipeline replay --group %s",
			ErrGroupPastEnd, topic, g.Name, g.LastDeliveredID, info.LastGeneratedID, g.Name)
	}
	return nil
}

func lastEntryID(ctx context.Context, rdb redis.UniversalClient, topic string) (string, error) {
	entries, err := rdb.XRevRangeN(ctx, topic, "+", "-", 1).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("cannot read last entry of %s: %w", topic, err)
	}
	if len(entries) == 0 {
		return "", nil
	}
	return entries[0].ID, nil
}

func isNoStream(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "no such key") || strings.Contains(err.Error(), "ERR no such"))
}

// compareIDs orders two stream ids ("ms-seq").
func compareIDs(a, b string) int {
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

// Check is one more condition of being drained, such as "no delivery waits for a retry".
type Check func(ctx context.Context) (ok bool, why string, err error)

// WaitDrained polls until CaughtUp and every check hold on two polls in a row (interval
// apart), or ctx ends. report is called with what is still outstanding, at most every few
// seconds.
func WaitDrained(ctx context.Context, rdb redis.UniversalClient, subs []Subscription, interval time.Duration, report func(string), checks ...Check) error {
	streak := 0
	lastReport := time.Now()
	for {
		ok, why, err := CaughtUp(ctx, rdb, subs)
		for _, check := range checks {
			if !ok || err != nil {
				break
			}
			ok, why, err = check(ctx)
		}
		if errors.Is(err, ErrGroupPastEnd) {
			return err // it would wait for ever, or worse, say drained while skipping entries
		}
		if err != nil {
			// Redis or MySQL may be restarting: keep waiting, but say so.
			why = err.Error()
		}
		if ok {
			streak++
			if streak >= 2 {
				return nil
			}
		} else {
			streak = 0
			if time.Since(lastReport) > 5*time.Second && report != nil {
				report(why)
				lastReport = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
