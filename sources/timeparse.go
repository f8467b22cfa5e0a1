package sources

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads a time as a page displays it: relative ("Just now", "5 mins", "9 hrs",
// "2 yrs", "6 hours ago"), a day and clock ("Yesterday at 15:28", "Monday at 3:04 PM"), a
// date with or without year ("May 13 at 6:58 AM", "20 May at 01:10", "April 3, 2018 at
// 8:02 PM", "3 April 2018 at 20:02"), or RFC 3339. now is when the page was fetched; loc is
// the time zone the page shows times in. A date without a year is put in the latest year
// that does not make it later than now. The result is in UTC, to the second.
func ParseTime(text string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t, err := parseTime(normalizeTimeText(text), now, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w %q", err, strings.TrimSpace(text))
	}
	if !plausibleTime(t) {
		return time.Time{}, fmt.Errorf("time %q is out of range (%d)", strings.TrimSpace(text), t.Year())
	}
	// Displayed times say minutes at best: fractions of a second of the fetch time are noise.
	return t.UTC().Truncate(time.Second), nil
}

func parseTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty time")
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(s)); err == nil {
		return t, nil
	}
	if t, ok := parseRelative(s, now); ok {
		return t, nil
	}
	if t, ok := parseDayAndClock(s, now.In(loc)); ok {
		return t, nil
	}
	if t, ok := parseDate(s, now.In(loc)); ok {
		return t, nil
	}
	return time.Time{}, errors.New("unrecognised time")
}

// plausibleTime rejects times no post can have: before 1970 or past 9999, which JSON and
// RFC 3339 cannot write either.
func plausibleTime(t time.Time) bool {
	return t.Year() >= 1970 && t.Year() <= 9999
}

// normalizeTimeText lower-cases, turns no-break spaces into spaces, collapses white space
// and drops an "about" in front and an "ago" behind, which change nothing.
func normalizeTimeText(text string) string {
	s := strings.ToLower(strings.ReplaceAll(text, "\u00a0", " "))
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimPrefix(s, "about ")
	return strings.TrimSuffix(s, " ago")
}

// relativeUnits maps the unit words of relative times to a function stepping back n units.
func relativeUnit(unit string) (func(t time.Time, n int) time.Time, bool) {
	switch unit {
	case "s", "sec", "secs", "second", "seconds":
		return func(t time.Time, n int) time.Time { return t.Add(-time.Duration(n) * time.Second) }, true
	case "m", "min", "mins", "minute", "minutes":
		return func(t time.Time, n int) time.Time { return t.Add(-time.Duration(n) * time.Minute) }, true
	case "h", "hr", "hrs", "hour", "hours":
		return func(t time.Time, n int) time.Time { return t.Add(-time.Duration(n) * time.Hour) }, true
	case "d", "day", "days":
		return func(t time.Time, n int) time.Time { return t.AddDate(0, 0, -n) }, true
	case "w", "wk", "wks", "week", "weeks":
		return func(t time.Time, n int) time.Time { return t.AddDate(0, 0, -7*n) }, true
	case "mo", "mos", "month", "months":
		return func(t time.Time, n int) time.Time { return t.AddDate(0, -n, 0) }, true
	case "y", "yr", "yrs", "year", "years":
		return func(t time.Time, n int) time.Time { return t.AddDate(-n, 0, 0) }, true
	}
	return nil, false
}

func parseRelative(s string, now time.Time) (time.Time, bool) {
	switch s {
	case "just now", "now", "moments", "a moment", "a few seconds", "a few secs":
		return now, true
	}
	number, unit, ok := strings.Cut(s, " ")
	if !ok { // "5m", "9h": the number runs straight into its unit
		i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return time.Time{}, false
		}
		number, unit = s[:i], s[i:]
	}
	n, err := strconv.Atoi(number)
	if number == "a" || number == "an" || number == "one" {
		n, err = 1, nil
	}
	if err != nil || n < 0 || n > 100000 {
		return time.Time{}, false
	}
	step, ok := relativeUnit(unit)
	if !ok {
		return time.Time{}, false
	}
	return step(now, n), true
}

// parseDayAndClock reads "yesterday at 15:28", "today at 9:05 am" and "monday at 3:04 pm";
// a weekday is the latest such day before today.
func parseDayAndClock(s string, now time.Time) (time.Time, bool) {
	day, clock, ok := strings.Cut(s, " at ")
	if !ok {
		day, clock = s, "0:00"
	}
	h, m, ok := parseClock(clock)
	if !ok {
		return time.Time{}, false
	}
	back := 0
	switch day {
	case "today":
	case "yesterday":
		back = 1
	default:
		wd, ok := weekday(day)
		if !ok {
			return time.Time{}, false
		}
		back = (int(now.Weekday()) - int(wd) + 7) % 7
		if back == 0 {
			back = 7
		}
	}
	y, mo, d := now.AddDate(0, 0, -back).Date()
	return time.Date(y, mo, d, h, m, 0, 0, now.Location()), true
}

// parseDate reads a date, with an optional year and an optional " at " clock, in either
// order of day and month: "may 13", "13 may 2018", "april 3, 2018 at 8:02 pm".
func parseDate(s string, now time.Time) (time.Time, bool) {
	date, clock, hasClock := strings.Cut(s, " at ")
	h, m := 0, 0
	if hasClock {
		var ok bool
		if h, m, ok = parseClock(clock); !ok {
			return time.Time{}, false
		}
	}
	f := strings.Fields(strings.ReplaceAll(date, ",", " "))
	if len(f) == 4 { // "tuesday, may 12, 2020": the weekday adds nothing
		if _, ok := weekday(f[0]); ok {
			f = f[1:]
		}
	}
	if len(f) < 2 || len(f) > 3 {
		return time.Time{}, false
	}
	mo, okMonth := month(f[0])
	dayField := f[1]
	if !okMonth {
		mo, okMonth = month(f[1])
		dayField = f[0]
	}
	d, err := strconv.Atoi(strings.TrimSuffix(dayField, "."))
	if !okMonth || err != nil || d < 1 || d > 31 {
		return time.Time{}, false
	}
	if len(f) == 3 {
		y, err := strconv.Atoi(f[2])
		if err != nil || y < 1970 || y > 9999 {
			return time.Time{}, false
		}
		return time.Date(y, mo, d, h, m, 0, 0, now.Location()), true
	}
	t := time.Date(now.Year(), mo, d, h, m, 0, 0, now.Location())
	if t.After(now) {
		t = time.Date(now.Year()-1, mo, d, h, m, 0, 0, now.Location())
	}
	return t, true
}

// parseClock reads "15:28", "6:58 am", "6:58pm" and "8 pm".
func parseClock(s string) (hour, minute int, ok bool) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), " ", "")
	pm := strings.HasSuffix(s, "pm")
	twelve := pm || strings.HasSuffix(s, "am")
	if twelve {
		s = s[:len(s)-2]
	}
	hs, ms, hasMinutes := strings.Cut(s, ":")
	if !hasMinutes {
		ms = "0"
	}
	hour, err1 := strconv.Atoi(hs)
	minute, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || len(ms) > 2 || minute < 0 || minute > 59 || hour < 0 || hour > 23 {
		return 0, 0, false
	}
	if !hasMinutes && !twelve {
		return 0, 0, false // a bare number is no clock
	}
	if twelve {
		if hour < 1 || hour > 12 {
			return 0, 0, false
		}
		hour %= 12
		if pm {
			hour += 12
		}
	}
	return hour, minute, true
}

func month(s string) (time.Month, bool) {
	s = strings.TrimSuffix(s, ".")
	if len(s) < 3 {
		return 0, false
	}
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if s == name || (len(s) <= len(name) && strings.HasPrefix(name, s)) || (s == "sept" && m == time.September) {
			return m, true
		}
	}
	return 0, false
}

func weekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return d, true
		}
	}
	return 0, false
}
