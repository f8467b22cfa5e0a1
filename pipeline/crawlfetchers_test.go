package pipeline_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/pipeline"
)

// Cookie files are read when their source is crawled: a bad file of one source stops
// neither the start nor the other sources, and renewed cookies are taken up without a
// restart.
func TestCookiesLoadedWhenTheSourceIsCrawled(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(good, []byte(".facebook.com\tTRUE\t/\tTRUE\t0\tc_user\t1\n.facebook.com\tTRUE\t/\tTRUE\t0\txs\tSECRETXS\n"), 0o600)
	os.WriteFile(bad, []byte(".facebook.com\tTRUE\t/\tTRUE\t0\tc_user\tSECRETC\n"), 0o600) // no xs
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
rules: [{name: r, query: acme, sinks: [out]}]
sinks: [{name: out, type: console}]
sources:
  - {name: g1, kind: facebook_group, url: 'https://m.facebook.com/groups/1', cookies: '%s', every: 1h}
  - {name: g2, kind: facebook_group, url: 'https://m.facebook.com/groups/2', cookies: '%s', every: 1h}
`, good, bad)))
	if err != nil {
		t.Fatal(err)
	}
	crawlers, err := pipeline.NewCrawlers(cfg, nil, nil, nil, quietLogger())
	if err != nil {
		t.Fatalf("a bad cookie file of one source stopped the start: %v", err)
	}
	if _, err := crawlers.Runner("g1", true, false); err != nil {
		t.Fatal(err)
	}
	_, err = crawlers.Runner("g2", true, false)
	if err == nil || !strings.Contains(err.Error(), "bad.txt") || !strings.Contains(err.Error(), "xs missing") || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("g2: %v", err)
	}
	// The cookies renewed: the next crawl reads them.
	os.WriteFile(bad, []byte(".facebook.com\tTRUE\t/\tTRUE\t0\tc_user\t1\n.facebook.com\tTRUE\t/\tTRUE\t0\txs\tSECRETXS\n"), 0o600)
	os.Chtimes(bad, time.Now().Add(time.Minute), time.Now().Add(time.Minute))
	if _, err := crawlers.Runner("g2", true, false); err != nil {
		t.Fatalf("renewed cookies not taken up: %v", err)
	}
	if errs := pipeline.CheckSourceCookies(cfg); len(errs) != 0 {
		t.Fatalf("check after renewal: %v", errs)
	}
}
