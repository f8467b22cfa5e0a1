package main_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"groupwatch/crawl"
	"groupwatch/internal/fakefacebook"
)

// facebookConfig writes a configuration with one facebook_group source on the fake
// Facebook, fetched by fetch, and its cookies file.
func facebookConfig(t *testing.T, dir, groupURL, fetch string) string {
	t.Helper()
	cookies := filepath.Join(dir, "cookies.txt")
	text := fmt.Sprintf("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tc_user\t%s\n#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\txs\t%s\n", fakefacebook.UserID, fakefacebook.XS)
	if err := os.WriteFile(cookies, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf(`
crawl: {browser_profiles: '%s'}
sources:
  - {name: makers, kind: facebook_group, url: '%s', every: 1h, cookies: '%s', min_interval: 1s, fetch: %s}
rules: [{name: used, query: '二手', sinks: [out]}]
sinks: [{name: out, type: console}]
`, filepath.Join(dir, "profiles"), groupURL, cookies, fetch)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// `pipeline crawl SOURCE --dry-run` against the fake Facebook prints every post of the
// group with either fetcher, and never a cookie or a token.
func TestCrawlFacebookDryRun(t *testing.T) {
	for _, fetch := range []string{"http", "browser"} {
		t.Run(fetch, func(t *testing.T) {
			if fetch == "browser" {
				_, err := crawl.FindChromium("")
				fakefacebook.SkipWithoutChromium(t, err)
			}
			srv, err := fakefacebook.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			dir := t.TempDir()
			cfg := facebookConfig(t, dir, srv.GroupURL(fakefacebook.GroupID), fetch)
			r := run(t, dir, nil, "crawl", "--config", cfg, "makers", "--dry-run", "--log-level", "debug")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			var out struct {
				Verdict    string `json:"verdict"`
				Pages, New int
				Posts      []struct {
					ExternalID string `json:"external_id"`
					Text       string `json:"text"`
					Pinned     bool   `json:"pinned"`
				} `json:"posts"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
			}
			stories := srv.Stories()
			if out.Verdict != "ok" || out.Pages != 3 || len(out.Posts) != len(stories) {
				t.Fatalf("verdict %s, %d pages, %d posts (want %d)\n%s", out.Verdict, out.Pages, len(out.Posts), len(stories), r.stdout)
			}
			if !strings.Contains(r.stdout, "徵求二手示波器") || !out.Posts[0].Pinned {
				t.Fatalf("posts:\n%s", r.stdout)
			}
			for _, secret := range []string{fakefacebook.XS, fakefacebook.DTSG, fakefacebook.LSD} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Fatalf("a secret was printed or logged:\n%s\n%s", r.stdout, r.stderr)
				}
			}
		})
	}
}

// A browser source without a Chromium fails at once, naming the package to install.
func TestCrawlBrowserWithoutChromium(t *testing.T) {
	dir := t.TempDir()
	cfg := facebookConfig(t, dir, "https://www.facebook.com/groups/1/", "browser")
	r := run(t, dir, []string{"CHROMIUM_PATH=" + filepath.Join(dir, "no-chromium")}, "crawl", "--config", cfg, "makers", "--dry-run")
	if r.code == 0 || !strings.Contains(r.stderr, "Debian package chromium") || !strings.Contains(r.stderr, "sources[0] (makers)") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}
