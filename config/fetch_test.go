package config

import (
	"strings"
	"testing"
	"time"
)

func TestFetchDefaultsAndValidation(t *testing.T) {
	t.Setenv(EnvRedisURL, "")
	t.Setenv(EnvMySQLDSN, "")
	cfg, err := Parse([]byte(`
sources:
  - {name: fb, kind: facebook_group, url: 'https://www.facebook.com/groups/1/', cookies: c.txt, every: 15m}
  - {name: fb2, kind: facebook_group, url: 'https://www.facebook.com/groups/2/', cookies: c.txt, every: 15m, fetch: browser}
` + valid))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sources[0].Fetch != FetchHTTP || cfg.Sources[1].Fetch != FetchBrowser || cfg.Crawl.BrowserTimeLimit != 5*time.Minute {
		t.Fatalf("defaults: %q %q %s", cfg.Sources[0].Fetch, cfg.Sources[1].Fetch, cfg.Crawl.BrowserTimeLimit)
	}

	tests := []struct{ name, yaml, want string }{
		{"unknown fetcher", `{name: s, kind: facebook_group, url: 'https://www.facebook.com/groups/1/', cookies: c.txt, every: 15m, fetch: curl}`,
			`sources[0].fetch: unknown fetcher "curl" (http or browser)`},
		{"browser for an html source", `{name: s, kind: html, url: 'https://forum.example/', selectors: s.yaml, every: 15m, fetch: browser}`,
			"sources[0].fetch: browser fetches facebook_group sources only"},
		{"browser for a saved page", `{name: s, kind: facebook_group, url: 'file:///tmp/page.html', every: 15m, fetch: browser}`,
			"sources[0].fetch: a saved page (file://) is read from disk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte("sources:\n  - " + tt.yaml + "\n" + valid))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want %q, got %v", tt.want, err)
			}
		})
	}
	_, err = Parse([]byte("crawl: {browser_time_limit: 1s}\n" + valid))
	if err == nil || !strings.Contains(err.Error(), "crawl.browser_time_limit: at least 10s") {
		t.Fatalf("time limit: %v", err)
	}
}
