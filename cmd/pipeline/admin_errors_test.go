package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A crawl that ran to any verdict but ok exits 2 (after printing its result); ok exits 0.
func TestCrawlExitStatusFollowsTheVerdict(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.html")
	os.WriteFile(empty, []byte("<html><body><p>Nothing to see</p></body></html>"), 0o644)
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte(`rules: [{name: any, query: acme, sinks: [out]}]
sinks: [{name: out, type: console}]
sources:
  - {name: good, kind: html, url: 'file://`+repoFile(t, "example/pages/forum.html")+`', selectors: '`+repoFile(t, "example/selectors.yaml")+`', every: 15m}
  - {name: odd, kind: html, url: 'file://`+empty+`', selectors: '`+repoFile(t, "example/selectors.yaml")+`', every: 15m}
  - {name: gone, kind: html, url: 'file://`+filepath.Join(dir, "missing.html")+`', selectors: '`+repoFile(t, "example/selectors.yaml")+`', every: 15m}
`), 0o644)
	for _, tt := range []struct {
		source, verdict string
		code            int
	}{{"good", "ok", 0}, {"odd", "unexpected", 2}, {"gone", "fetch_failed", 2}} {
		r := run(t, dir, nil, "crawl", "--config", cfg, tt.source, "--dry-run")
		if r.code != tt.code || !strings.Contains(r.stdout, `"verdict": "`+tt.verdict+`"`) {
			t.Errorf("%s: exit %d, want %d with verdict %s\n%s%s", tt.source, r.code, tt.code, tt.verdict, r.stdout, r.stderr)
		}
	}
}

// Unknown ids and values are errors, not empty successes; status prints what it can reach.
func TestAdminCommandsRefuseUnknownsAndSurviveOutages(t *testing.T) {
	env, vars := serverEnv(t)
	dir := t.TempDir()
	cfg := prefixedConfig(t, dir, env.Prefix)
	if r := run(t, dir, vars, "migrate", "--config", cfg); r.code != 0 {
		t.Fatalf("migrate: %s", r.stderr)
	}
	if r := run(t, dir, vars, "alerts", "resend", "--config", cfg, "999999"); r.code != 1 || !strings.Contains(r.stderr, "no alert 999999") {
		t.Errorf("resend of an unknown alert: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "alerts", "list", "--config", cfg, "--status", "bogus"); r.code != 1 || !strings.Contains(r.stderr, `--status "bogus"`) {
		t.Errorf("list by an unknown status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "backfill", "--config", cfg, "--rule", "iphone-deals", "--since", "200000d"); r.code != 1 || !strings.Contains(r.stderr, "too long ago") {
		t.Errorf("backfill --since 200000d: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dir, vars, "replay", "--config", cfg, "--topic", env.Prefix+".posts.raw", "--from", "200000d", "--group", "normalize"); r.code != 1 || !strings.Contains(r.stderr, "too long ago") {
		t.Errorf("replay --from 200000d: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	redisDown := append([]string{vars[1], "GROUPWATCH_REDIS_URL=redis://127.0.0.1:1/0"}, vars[2:]...)
	r := run(t, dir, redisDown, "status", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stdout, "unreachable (redis") || !strings.Contains(r.stdout, "DELIVERIES\tCOUNT") && !strings.Contains(r.stdout, "DELIVERIES  COUNT") {
		t.Errorf("status with Redis down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mysqlDown := append([]string{vars[0], "GROUPWATCH_MYSQL_DSN=root:SECRETPW@tcp(127.0.0.1:1)/gone"}, vars[2:]...)
	r = run(t, dir, mysqlDown, "status", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stdout, "unreachable (mysql") || !strings.Contains(r.stdout, env.Prefix+".posts.raw") {
		t.Errorf("status with MySQL down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "SECRETPW") {
		t.Errorf("the MySQL password leaked:\n%s%s", r.stdout, r.stderr)
	}
}

// rules check reads every cookie file and names the source, file and line of what is wrong,
// never a cookie's value.
func TestRulesCheckReadsCookieFiles(t *testing.T) {
	dir := t.TempDir()
	cookies := filepath.Join(dir, "cookies.txt")
	os.WriteFile(cookies, []byte(".facebook.com\tTRUE\t/\tTRUE\t0\tc_user\tSECRETC\n.facebook.com\tTRUE\t/\txs\tSECRETXS\n"), 0o600)
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte(`rules: [{name: any, query: acme, sinks: [out]}]
sinks: [{name: out, type: console}]
sources:
  - {name: hk, kind: facebook_group, url: 'https://m.facebook.com/groups/1', cookies: '`+cookies+`', every: 15m}
`), 0o644)
	r := run(t, dir, nil, "rules", "check", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "sources[0].cookies (hk)") || !strings.Contains(r.stderr, "cookies.txt line 2") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "SECRET") {
		t.Fatalf("a cookie value leaked:\n%s%s", r.stdout, r.stderr)
	}
	os.WriteFile(cookies, []byte(".facebook.com\tTRUE\t/\tTRUE\t0\tc_user\tSECRETC\n.facebook.com\tTRUE\t/\tTRUE\t0\txs\tSECRETXS\n"), 0o600)
	if r := run(t, dir, nil, "rules", "check", "--config", cfg); r.code != 0 || !strings.Contains(r.stdout, "ok:") {
		t.Fatalf("good cookies: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
