package config

import (
	"strings"
	"testing"
	"time"
)

// cron: has the same minimum interval as every:.
func TestCronEveryHasTheMinimumInterval(t *testing.T) {
	base := "rules: [{name: r, query: acme, sinks: [out]}]\nsinks: [{name: out, type: console}]\nsources:\n"
	tests := []struct {
		source, wantErr string
	}{
		{`{name: a, kind: feed, url: 'https://x.example/feed', cron: '@every 1s'}`, `sources[0].cron: "@every 1s" is every 1s: at least 1m`},
		{`{name: a, kind: feed, url: 'https://x.example/feed', cron: '@every 59s'}`, `sources[0].cron`},
		{`{name: a, kind: feed, url: 'https://x.example/feed', every: 1s}`, `sources[0].every: at least 1m`},
		{`{name: a, kind: feed, url: 'https://x.example/feed', cron: '@every 1m'}`, ""},
		{`{name: a, kind: feed, url: 'https://x.example/feed', cron: '*/15 * * * *'}`, ""},
		{`{name: a, kind: feed, url: 'https://x.example/feed', cron: '@hourly'}`, ""},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(base + "  - " + tt.source + "\n"))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.source, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: want %q, got %v", tt.source, tt.wantErr, err)
		}
	}
	if d := CronEvery("@every 5m"); d != 5*time.Minute {
		t.Errorf("CronEvery(@every 5m) = %s", d)
	}
	if d := CronEvery("0 * * * *"); d != 0 {
		t.Errorf("CronEvery of a plain schedule = %s", d)
	}
}
