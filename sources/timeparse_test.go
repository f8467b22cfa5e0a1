package sources

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	// Wednesday 10 January 2024, 08:00 UTC.
	now := time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		text, want string // want "" means an error
	}{
		{"Just now", "2024-01-10T08:00:00Z"},
		{"now", "2024-01-10T08:00:00Z"},
		{"5 mins", "2024-01-10T07:55:00Z"},
		{"1 min", "2024-01-10T07:59:00Z"},
		{"30 secs", "2024-01-10T07:59:30Z"},
		{"9 hrs", "2024-01-09T23:00:00Z"},
		{"1 hr", "2024-01-10T07:00:00Z"},
		{"9h", "2024-01-09T23:00:00Z"},
		{"3 days", "2024-01-07T08:00:00Z"},
		{"2 wks", "2023-12-27T08:00:00Z"},
		{"2 yrs", "2022-01-10T08:00:00Z"},
		{"1 yr", "2023-01-10T08:00:00Z"},
		{"6 hours ago", "2024-01-10T02:00:00Z"},
		{"6\u00a0minutes ago", "2024-01-10T07:54:00Z"},
		{"an hour ago", "2024-01-10T07:00:00Z"},
		{"about a month ago", "2023-12-10T08:00:00Z"},
		{"Yesterday at 15:28", "2024-01-09T15:28:00Z"},
		{"Yesterday at 3:28 PM", "2024-01-09T15:28:00Z"},
		{"Today at 7:05 am", "2024-01-10T07:05:00Z"},
		{"Monday at 10:00", "2024-01-08T10:00:00Z"},
		{"Wednesday at 10:00", "2024-01-03T10:00:00Z"}, // today's weekday: a week ago
		{"May 13 at 6:58 AM", "2023-05-13T06:58:00Z"},  // May 2024 is still to come
		{"20 May at 01:10", "2023-05-20T01:10:00Z"},
		{"January 9 at 12:00 PM", "2024-01-09T12:00:00Z"},
		{"10 January at 08:00", "2024-01-10T08:00:00Z"}, // exactly now: this year
		{"10 January at 08:01", "2023-01-10T08:01:00Z"}, // a minute ahead: last year
		{"12 AM", ""},
		{"Jan 2 at 12:30 AM", "2024-01-02T00:30:00Z"},
		{"Dec 31 at 11:59 PM", "2023-12-31T23:59:00Z"},
		{"April 3, 2018 at 8:02 PM", "2018-04-03T20:02:00Z"},
		{"3 April 2018 at 20:02", "2018-04-03T20:02:00Z"},
		{"Tuesday, May 12, 2020 at 6:01 PM", "2020-05-12T18:01:00Z"},
		{"April 3, 2018", "2018-04-03T00:00:00Z"},
		{"2019-09-03T12:34:56Z", "2019-09-03T12:34:56Z"},
		{"2019-09-03T12:34:56+02:00", "2019-09-03T10:34:56Z"},
		{"", ""},
		{"Sponsored", ""},
		{"May 32 at 10:00", ""},
		{"May 13 at 25:00", ""},
		{"May 13 at 13:00 PM", ""},
		{"13 at 10:00", ""},
		{"-5 mins", ""},
		{"5 parsecs", ""},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.text, now, time.UTC)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%q: %v, want an error", tt.text, got)
		case tt.want != "" && err != nil:
			t.Errorf("%q: %v", tt.text, err)
		case tt.want != "" && got.Format(time.RFC3339) != tt.want:
			t.Errorf("%q: %s, want %s", tt.text, got.Format(time.RFC3339), tt.want)
		}
	}
}

// Displayed times are in the page's time zone; the result is UTC, and "not in the future"
// is judged at the same instant whatever the zone.
func TestParseTimeInZone(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	now := time.Date(2021, 6, 8, 22, 18, 40, 0, time.UTC) // 15:18 in Los Angeles
	tests := []struct{ text, want string }{
		{"4 June at 17:33", "2021-06-05T00:33:00Z"},
		{"Yesterday at 23:30", "2021-06-08T06:30:00Z"},
		{"8 June at 16:00", "2020-06-08T23:00:00Z"}, // 16:00 today in Los Angeles is still to come
		{"8 June at 15:00", "2021-06-08T22:00:00Z"},
		{"9 hrs", "2021-06-08T13:18:40Z"},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.text, now, la)
		if err != nil || got.Format(time.RFC3339) != tt.want || got.Location() != time.UTC {
			t.Errorf("%q: %v (%v), want %s", tt.text, got, err, tt.want)
		}
	}
}

func TestParseTimeOutOfRange(t *testing.T) {
	now := time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)
	for _, text := range []string{"99999 years ago", "60 yrs", "0001-01-01T00:00:00Z", "May 3, 1969"} {
		if got, err := ParseTime(text, now, nil); err == nil {
			t.Errorf("%q: %v, want an error", text, got)
		}
	}
}
