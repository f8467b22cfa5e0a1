package pipeline

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxAgoDays is the most days a time.Duration holds (about 292 years): more overflows into
// a time in the future.
const maxAgoDays = math.MaxInt64 / int64(24*time.Hour)

// ParseAgo reads a duration back from now: a number of days ("7d") or a Go duration
// ("48h", "30m"). It refuses negative durations and those too long to count, which would
// otherwise wrap round to a time in the future and select nothing, silently.
func ParseAgo(s string) (time.Duration, error) {
	v := strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseInt(d, 10, 64)
		switch {
		case err != nil && strings.Contains(err.Error(), "out of range"), err == nil && n > maxAgoDays:
			return 0, fmt.Errorf("%q is too long ago: at most %dd", s, maxAgoDays)
		case err != nil || n < 0:
			return 0, fmt.Errorf("%q: want a number of days like 7d, or a duration like 48h", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil && strings.Contains(err.Error(), "invalid duration") && looksNumeric(v):
		return 0, fmt.Errorf("%q is too long ago: at most %dd", s, maxAgoDays)
	case err != nil || d < 0:
		return 0, fmt.Errorf("%q: want a number of days like 7d, or a duration like 48h", s)
	}
	return d, nil
}

// looksNumeric says a string is digits and unit letters only, so that time.ParseDuration
// refused it for its size, not its form.
func looksNumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789.hmsuµn", r) {
			return false
		}
	}
	_, err := time.ParseDuration("1" + strings.TrimLeft(s, "0123456789."))
	return err == nil
}

// Ago is now less d, refused when it falls before 1970: stream ids and stored times start
// there.
func Ago(now time.Time, d time.Duration) (time.Time, error) {
	t := now.Add(-d)
	if t.Before(time.Unix(0, 0)) || t.After(now) {
		return time.Time{}, fmt.Errorf("%s ago is before 1970", d)
	}
	return t, nil
}
