package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const valid = `
rules:
  - name: iphone-deals
    query: '"iphone 15" (二手 OR 便宜) -壞掉'
    sinks: [out]
sinks:
  - name: out
    type: file
    path: ./alerts.jsonl
`

func TestParseValidAppliesDefaults(t *testing.T) {
	t.Setenv(EnvRedisURL, "")
	t.Setenv(EnvMySQLDSN, "")
	cfg, err := Parse([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Rules[0].Type != RuleInstant {
		t.Fatalf("default type: %q", cfg.Rules[0].Type)
	}
	if cfg.Rules[0].Variants != VariantsFold || cfg.Rules[0].ExactVariants() {
		t.Fatalf("default variants: %q", cfg.Rules[0].Variants)
	}
	if cfg.Pipeline.Consumers[StageNormalize] != 2 || cfg.Pipeline.BatchSize != 256 || cfg.Pipeline.CloseTimeout == 0 {
		t.Fatalf("defaults not applied: %+v", cfg.Pipeline)
	}
	if !cfg.Embedded() {
		t.Fatal("no connections configured: want embedded")
	}
}

func TestRuleVariantsExact(t *testing.T) {
	t.Setenv(EnvRedisURL, "")
	t.Setenv(EnvMySQLDSN, "")
	cfg, err := Parse([]byte(strings.Replace(valid, "sinks: [out]", "sinks: [out]\n    variants: exact", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Rules[0].ExactVariants() {
		t.Fatalf("variants: exact not read: %q", cfg.Rules[0].Variants)
	}
}

func TestEnvironmentOverridesConnections(t *testing.T) {
	t.Setenv(EnvRedisURL, "redis://127.0.0.1:6379/2")
	t.Setenv(EnvMySQLDSN, "root@tcp(127.0.0.1:3306)/gw")
	cfg, err := Parse([]byte("redis: {url: 'redis://elsewhere:1'}\nmysql: {dsn: 'u@tcp(elsewhere:1)/x'}\n" + valid))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Redis.URL != "redis://127.0.0.1:6379/2" || cfg.MySQL.DSN != "root@tcp(127.0.0.1:3306)/gw" || cfg.Embedded() {
		t.Fatalf("overrides not applied: %+v %+v", cfg.Redis, cfg.MySQL)
	}
}

func TestValidationNamesEveryBadField(t *testing.T) {
	t.Setenv(EnvRedisURL, "")
	t.Setenv(EnvMySQLDSN, "")
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unbalanced parenthesis", `
rules:
  - {name: a, query: 'x', sinks: [out]}
  - {name: b, query: 'y', sinks: [out]}
  - {name: c, query: '"iphone 15" (二手', sinks: [out]}
sinks: [{name: out, type: console}]`, []string{"rules[2].query: ", "column"}},
		{"duplicate rule and unknown sink", `
rules:
  - {name: a, query: 'x', sinks: [out]}
  - {name: a, query: 'y', sinks: [nope]}
sinks: [{name: out, type: console}]`, []string{`rules[1].name: duplicate rule name "a"`, `rules[1].sinks[0]: no sink named "nope"`}},
		{"sink problems", `
rules: [{name: a, query: x, sinks: [f]}]
sinks:
  - {name: f, type: file}
  - {name: g, type: slackk}`, []string{"sinks[0].path: a file sink needs a path", `sinks[1].type: unknown sink type "slackk"`}},
		{"unknown rule type", `
rules: [{name: a, query: x, type: sometimes, sinks: [o]}]
sinks: [{name: o, type: console}]`, []string{`rules[0].type: unknown rule type "sometimes"`}},
		{"unknown variants", `
rules: [{name: a, query: 相機, variants: strict, sinks: [o]}]
sinks: [{name: o, type: console}]`, []string{`rules[0].variants: unknown value "strict" (fold or exact)`}},
		{"only negation", `
rules: [{name: a, query: '-foo', sinks: [o]}]
sinks: [{name: o, type: console}]`, []string{"rules[0].query: "}},
		{"no rules", `sinks: [{name: o, type: console}]`, []string{"rules: no rules"}},
		{"half the connections", `
redis: {url: 'redis://127.0.0.1:6379'}
rules: [{name: a, query: x, sinks: [o]}]
sinks: [{name: o, type: console}]`, []string{"redis.url: set both"}},
		{"consumers", `
pipeline: {consumers: {normalize: 0, nosuch: 2}}
rules: [{name: a, query: x, sinks: [o]}]
sinks: [{name: o, type: console}]`, []string{"pipeline.consumers.normalize: must be between 1 and 256", "pipeline.consumers.nosuch: unknown stage"}},
		{"source names are ids", `
rules: [{name: a, query: x, sinks: [o]}]
sinks: [{name: o, type: console}]
sources:
  - {name: "forum ", kind: feed, url: 'https://forum.example/rss', every: 1h}
  - {name: "for\tum", kind: feed, url: 'https://forum.example/rss', every: 1h}`, []string{"sources[0].name: has leading or trailing white space", "sources[1].name: holds a control character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestUnknownKeyIsAnError(t *testing.T) {
	_, err := Parse([]byte("rulez: []\n" + valid))
	if err == nil || !strings.Contains(err.Error(), "rulez") {
		t.Fatalf("want an error naming the unknown key, got %v", err)
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	t.Setenv(EnvRedisURL, "")
	t.Setenv(EnvMySQLDSN, "")
	_, err := Parse([]byte("redis: {url: 'http://user:hunter2@host'}\nmysql: {dsn: 'user:hunter2@bogus('}\n" + valid))
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("password leaked into the error: %v", err)
	}
}

func TestAPITokenFromEnvironmentOrFile(t *testing.T) {
	t.Setenv(EnvRedisURL, "")
	t.Setenv(EnvMySQLDSN, "")
	t.Setenv(EnvAPIToken, "")
	t.Setenv("MY_TOKEN", "s3cret")
	cfg, err := Parse([]byte("api: {token: '${MY_TOKEN}'}\n" + valid))
	if err != nil || cfg.API.Token != "s3cret" || cfg.API.MaxBodyBytes != 10<<20 {
		t.Fatalf("token from ${MY_TOKEN}: %+v %v", cfg, err)
	}
	_, err = Parse([]byte("api: {token: '${NOT_SET_ANYWHERE}'}\n" + valid))
	if err == nil || err.Error() != "api.token: environment variable NOT_SET_ANYWHERE is not set" {
		t.Fatalf("unset variable: %v", err)
	}
	file := filepath.Join(t.TempDir(), "token")
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	cfg, err = Parse([]byte("api: {token_file: '" + file + "'}\n" + valid))
	if err != nil || cfg.API.Token != "from-file" {
		t.Fatalf("token file: %+v %v", cfg.API, err)
	}
	_, err = Parse([]byte("api: {token_file: '/no/such/token'}\n" + valid))
	if err == nil || !strings.HasPrefix(err.Error(), "api.token_file: cannot read /no/such/token") {
		t.Fatalf("missing file: %v", err)
	}
	t.Setenv(EnvAPIToken, "env-wins")
	cfg, err = Parse([]byte("api: {token: inline}\n" + valid))
	if err != nil || cfg.API.Token != "env-wins" {
		t.Fatalf("env override: %+v %v", cfg.API, err)
	}
}

func TestAdminTokens(t *testing.T) {
	t.Setenv(EnvAdminToken, "")
	t.Setenv(EnvAdminReadToken, "")
	t.Setenv("MY_ADMIN", "admin-token-0123456789")
	cfg, err := Parse([]byte("admin: {token: '${MY_ADMIN}', read_token: read-token-0123456789}\n" + valid))
	if err != nil || cfg.Admin.Token != "admin-token-0123456789" || cfg.Admin.ReadToken != "read-token-0123456789" {
		t.Fatalf("tokens: %v", err)
	}
	file := filepath.Join(t.TempDir(), "admin")
	if err := os.WriteFile(file, []byte("from-file-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = Parse([]byte("admin: {token_file: '" + file + "'}\n" + valid))
	if err != nil || cfg.Admin.Token != "from-file-0123456789" {
		t.Fatalf("token file: %v", err)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"admin: {token: short}", "admin.token: must be at least 16 characters"},
		{"admin: {token: same-token-0123456789, read_token: same-token-0123456789}", "admin.read_token: must differ from admin.token"},
		{"admin: {read_token: read-token-0123456789}", "admin.read_token: needs admin.token: the console is off without it"},
		{"admin: {token: '${NOT_SET_ANYWHERE}'}", "admin.token: environment variable NOT_SET_ANYWHERE is not set"},
	} {
		_, err := Parse([]byte(tc.yaml + "\n" + valid))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got %v, want %s", tc.yaml, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "short") {
			t.Errorf("error names the token: %v", err)
		}
	}
	t.Setenv(EnvAdminToken, "env-wins-0123456789")
	cfg, err = Parse([]byte("admin: {token: inline-token-0123456789}\n" + valid))
	if err != nil || cfg.Admin.Token != "env-wins-0123456789" {
		t.Fatalf("env override: %v", err)
	}
}

func TestRedisClusterAndPartitions(t *testing.T) {
	base := "mysql: {dsn: 'u@tcp(h:3306)/d'}\nsinks: [{name: c, type: console}]\nrules: [{name: r, query: x, sinks: [c]}]\n"
	tests := []struct {
		yaml, err string
		cluster   bool
		url       string
	}{
		{yaml: "redis: {url: 'redis://h:6379/0'}", url: "redis://h:6379/0"},
		{yaml: "redis: {cluster: ['a:7000', 'b:7001']}", cluster: true, url: "redis+cluster://a:7000,b:7001"},
		{yaml: "redis: {url: 'redis+cluster://u:p@a:7000,b:7001'}\ntopics: {partitions: 6}", cluster: true, url: "redis+cluster://u:p@a:7000,b:7001"},
		{yaml: "redis: {url: 'redis://h:6379/0', cluster: ['a:7000']}", err: "redis.cluster: set redis.url or redis.cluster, not both"},
		{yaml: "redis: {cluster: ['a']}", err: "redis.cluster[0]: want host:port"},
		{yaml: "redis: {url: 'redis://h:6379/0'}\ntopics: {partitions: 300}", err: "topics.partitions: must be between 1 and 256"},
		{yaml: "redis: {url: 'redis://h:6379/0'}\ntopics: {prefix: '{gw}', partitions: 4}", err: "topics.prefix: a hash tag"},
		{yaml: "redis: {url: 'redis://h:6379/0', wait_replicas: -1}", err: "redis.wait_replicas"},
	}
	for _, tt := range tests {
		cfg, err := Parse([]byte(base + tt.yaml))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.yaml, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.yaml, err)
			continue
		}
		if cfg.Redis.IsCluster() != tt.cluster || cfg.Redis.URL != tt.url || cfg.Topics.Partitions < 1 || cfg.Redis.WaitTimeout != 2*time.Second {
			t.Errorf("%s: cluster %v url %q partitions %d", tt.yaml, cfg.Redis.IsCluster(), cfg.Redis.URL, cfg.Topics.Partitions)
		}
	}
}

func TestRetentionDefaultsAndValidation(t *testing.T) {
	rule := "\n" + valid
	cfg, err := Parse([]byte(rule))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Retention
	if r.Posts.Duration() != 180*24*time.Hour || r.CrawlRuns.Duration() != 90*24*time.Hour ||
		r.Alerts.Duration() != 0 || r.Deliveries.Duration() != 0 || r.KeywordDaily.Duration() != 0 {
		t.Fatalf("defaults: %+v", r)
	}
	cfg, err = Parse([]byte("retention: {posts: 36h, alerts: 400d, crawl_runs: keep}" + rule))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Retention.Posts.Duration() != 36*time.Hour || cfg.Retention.Alerts.Duration() != 400*24*time.Hour || cfg.Retention.CrawlRuns.Duration() != 0 {
		t.Fatalf("parsed: %+v", cfg.Retention)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"retention: {posts: 3x}", `retention.posts: "3x" is not`},
		{"retention: {posts: 0d}", `retention.posts: "0d" is not a number of days`},
		{"retention: {crawl_runs: 1h}", "retention.crawl_runs: 1h is shorter than the least, 24h0m0s"},
		{"retention: {deliveries: 2d}", "retention.deliveries: 2d is shorter than the least, 168h0m0s"},
		{"retention: {batch_size: -1}", "retention.batch_size: must be between 1 and 10000"},
		{"retention: {every: 1s}", "retention.every: must be at least 1m"},
		{"retention: {keyword_daily: 10d}\nrules: [{name: r, query: a, type: threshold, sinks: [out], threshold: {baseline: 3σ, window: 1h}}]\nsinks: [{name: out, type: file, path: x}]",
			"retention.keyword_daily: 10d is shorter than rules[0].threshold.baseline_days (28)"},
	} {
		_, err := Parse([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
