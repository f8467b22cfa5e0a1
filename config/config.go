// Package config reads and validates groupwatch's one YAML file: connections, rules and sinks.
// Validation happens here, at the edge, so nothing starts on an invalid file.
package config

import (
	"bytes"

	"errors"
	"fmt"
	"github.com/robfig/cron/v3"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Environment variables that override the file.
const (
	EnvConfig   = "GROUPWATCH_CONFIG"
	EnvRedisURL = "GROUPWATCH_REDIS_URL"
	EnvMySQLDSN = "GROUPWATCH_MYSQL_DSN"
	// EnvMySQLMaxConns overrides mysql.max_conns.
	EnvMySQLMaxConns = "GROUPWATCH_MYSQL_MAX_CONNS"
)

// Config is the whole configuration file.
type Config struct {
	// Redis is where the topics live. Empty URL (and empty MySQL DSN): the embedded stand-ins.
	Redis Redis `yaml:"redis"`
	// MySQL is where posts, matches, alerts and deliveries are stored.
	MySQL MySQL `yaml:"mysql"`
	// Topics names the Redis streams.
	Topics Topics `yaml:"topics"`
	// Pipeline tunes the stages.
	Pipeline Pipeline `yaml:"pipeline"`
	// Rules say what to look for; each is synced into MySQL by its name.
	Rules []Rule `yaml:"rules"`
	// Sinks say where alerts go; a rule lists the sinks it goes to.
	Sinks []Sink `yaml:"sinks"`
	// API configures the HTTP ingest API.
	API API `yaml:"api"`
	// Admin holds the console's tokens.
	Admin Admin `yaml:"admin"`
	// Sources are crawled on their schedules.
	Sources []Source `yaml:"sources"`
	// Crawl holds settings shared by all sources.
	Crawl Crawl `yaml:"crawl"`
	// Health sends source-health alerts.
	Health Health `yaml:"health"`
	// Retention says how long MySQL keeps posts, crawl runs, alerts and daily counts.
	Retention Retention `yaml:"retention"`
}

// Health configures source-health alerts: a source blocked, needing new cookies, gone, or
// quiet for too long.
type Health struct {
	// Sinks the alerts go to. None: health events are only logged.
	Sinks []string `yaml:"sinks"`
	// QuietAfter alerts when a source has produced no new post for this long. 0: off.
	QuietAfter time.Duration `yaml:"quiet_after"`
}

// Redis holds the Redis connection.
type Redis struct {
	// URL like redis://user:pass@host:6379/0 for one Redis, or
	// redis+cluster://user:pass@host1:6379,host2:6379 (rediss+cluster:// for TLS) for a
	// Redis Cluster: any of its nodes, the client finds the rest. Overridden by
	// GROUPWATCH_REDIS_URL.
	URL string `yaml:"url"`
	// Cluster lists nodes of a Redis Cluster as host:port: the same as a redis+cluster://
	// URL naming them, for a cluster without a password (put credentials in url). Set url or
	// cluster, not both.
	Cluster []string `yaml:"cluster"`
	// WaitReplicas makes every publish wait until this many replicas hold its entries
	// (XADD, then WAIT on the same master), so a master that dies right after answering
	// loses nothing it acknowledged. Default 0: Redis's asynchronous replication, where
	// such a crash can lose the last entries (see README, "Redis Cluster").
	WaitReplicas int `yaml:"wait_replicas"`
	// WaitTimeout bounds that wait; a publish whose entries reached fewer replicas in time
	// fails, and is retried like any failed publish. Default 2s.
	WaitTimeout time.Duration `yaml:"wait_timeout"`
}

// IsCluster says the Redis URL names a Redis Cluster.
func (r Redis) IsCluster() bool {
	return strings.HasPrefix(r.URL, "redis+cluster://") || strings.HasPrefix(r.URL, "rediss+cluster://")
}

// MySQL holds the MySQL connection.
type MySQL struct {
	// DSN in go-sql-driver form, like user:pass@tcp(host:3306)/groupwatch.
	// Overridden by GROUPWATCH_MYSQL_DSN. parseTime is turned on for you.
	DSN string `yaml:"dsn"`
	// MaxConns is the most connections this process opens. Default 16. Overridden by
	// GROUPWATCH_MYSQL_MAX_CONNS. 1 for go-mysql-server, which loses concurrent writes.
	MaxConns int `yaml:"max_conns"`
}

// Topics names the streams.
type Topics struct {
	// Prefix goes before every topic name, with a dot: "gw" gives "gw.posts.raw". Default
	// empty. For Redis Cluster, a hash tag such as "{gw}" keeps all topics on one slot.
	Prefix string `yaml:"prefix"`
	// MaxLen trims every stream to about this many entries as it is written (XADD MAXLEN ~).
	// Default 0: never. Trimming on write cannot ask the consumer groups, so it drops entries
	// a lagging group has not read yet (an outage of MySQL for an hour is a backlog of an
	// hour of posts): bound streams with MaxAge, and set MaxLen, if at all, far above the
	// largest backlog you can imagine, as a last guard of Redis memory.
	MaxLen int64 `yaml:"max_len"`
	// Partitions splits every topic into this many streams, whose keys carry a hash tag of
	// their own ({p0} … {pN-1}) so that a Redis Cluster spreads them over its masters. A post
	// goes to the partition of a hash of its source and external id, so its versions stay in
	// order, and everything downstream of it keeps that partition. Default 1: one stream per
	// topic, named as before. Changing it needs the procedure in the README ("Redis
	// Cluster"); pipeline run refuses a count other than the one stored in Redis.
	Partitions int `yaml:"partitions"`
	// MaxAge trims entries older than this (XTRIM MINID ~), every five minutes, on the leader
	// (leader/retention.go), but never an entry a consumer group has not read or not acked:
	// a lagging group holds its stream back (`pipeline status` says which). Default 7 days;
	// negative: never trim. Posts are in MySQL; the streams only need to hold what replay
	// might want again.
	MaxAge time.Duration `yaml:"max_age"`
}

// Pipeline tunes the stages.
type Pipeline struct {
	// Consumers is the number of consumers per stage in this process, by stage name (crawl,
	// normalize, match, evaluate, notify). Defaults: crawl 2, normalize 2, match 2,
	// evaluate 4, notify 2. A consumer of normalize or match reads BatchSize entries at a
	// time and has up to twice that in hand at once (normalize writes them in group
	// commits); a consumer of the other stages handles one message at a time, so there the
	// count is the stage's concurrency. Each consumer holds one Redis connection while it
	// waits for entries.
	Consumers map[string]int `yaml:"consumers"`
	// BatchSize is how many stream entries a normalize or match consumer reads with one
	// XREADGROUP (and acknowledges with one XACK); it keeps up to twice that in flight.
	// Default 256.
	BatchSize int `yaml:"batch_size"`
	// CloseTimeout is how long in-flight messages get to finish on shutdown. Default 30s.
	CloseTimeout time.Duration `yaml:"close_timeout"`
	// MessageTimeout bounds one attempt at one message. Default 30s.
	MessageTimeout time.Duration `yaml:"message_timeout"`
	// ClaimIdle is how long an entry may sit pending with a consumer that stopped (killed,
	// crashed, or the process was restarted under another name) before a live consumer of the
	// same group claims it. Default 60s. Too short and a slow but live consumer's entries are
	// taken over and processed twice (harmless, since every write is idempotent, but wasted).
	ClaimIdle time.Duration `yaml:"claim_idle"`
	// DeliveryRetryBase is the first wait before a failed delivery is tried again; it
	// doubles (with jitter) up to 30 minutes. Default 5s.
	DeliveryRetryBase time.Duration `yaml:"delivery_retry_base"`
	// MaxDeliveries is how many times an entry may be handed to consumers that died with it
	// before it is taken for the cause and sent to the stage's poison topic. Default 10.
	MaxDeliveries int64 `yaml:"max_deliveries"`
	// RetryMaxInterval caps the exponential backoff between retries of a transient failure
	// (MySQL or Redis unreachable). Retries go on until the failure clears. Default 30s.
	RetryMaxInterval time.Duration `yaml:"retry_max_interval"`
}

// Rule is one alert rule.
type Rule struct {
	// Name is unique and stable: rules are synced into MySQL by name.
	Name string `yaml:"name"`
	// Query in the keyword language: terms, "phrases", OR, NOT or -, parentheses.
	Query string `yaml:"query"`
	// Type of rule: instant (default: one alert per matching post) or threshold (at least
	// Threshold.Count matches within a sliding window) or digest (a message per period).
	Type RuleKind `yaml:"type"`
	// Sinks this rule's alerts go to, by name.
	Sinks []string `yaml:"sinks"`
	// Threshold configures a threshold rule.
	Threshold Threshold `yaml:"threshold"`
	// Digest configures a digest rule.
	Digest Digest `yaml:"digest"`
	// Templates override how this rule's alerts read in Slack and email.
	Templates Templates `yaml:"templates"`
	// Variants says how Chinese characters match. fold (default): a term matches its
	// Traditional, Simplified and regional forms alike (相機 matches 相机, 裡 matches 裏 and
	// 里). exact: only the characters as written, for a rule where the script itself matters.
	Variants string `yaml:"variants"`
}

// Values of Rule.Variants.
const (
	VariantsFold  = "fold"
	VariantsExact = "exact"
)

// ExactVariants reports whether the rule matches Chinese characters only as written.
func (r Rule) ExactVariants() bool { return r.Variants == VariantsExact }

// Templates are Go templates over the alert (fields of handlers.Alert: .Rule, .Source,
// .Author, .Text, .Terms, .URL, .Summary, …; and .ChartCID in email HTML).
type Templates struct {
	// Text (text/template) replaces the post text in Slack and the plain-text part of email.
	Text string `yaml:"text"`
	// HTML (html/template, escaped) replaces the HTML part of email.
	HTML string `yaml:"html"`
}

// Digest sends a rule's matches on a schedule, as one message with a summary.
type Digest struct {
	// Cron is the five-field schedule, in Timezone (e.g. "0 9 * * 1": Mondays at nine).
	Cron string `yaml:"cron"`
	// Timezone is an IANA name. Default UTC.
	Timezone string `yaml:"timezone"`
	// Top is how many posts the message lists. Default 10.
	Top int `yaml:"top"`
}

// Sigmas is the baseline's number of standard deviations ("3σ", "2.5sigma", "3"); 0
// without a baseline.
func (t Threshold) Sigmas() (float64, error) {
	v := strings.TrimSpace(t.Baseline)
	if v == "" {
		return 0, nil
	}
	v = strings.TrimSuffix(strings.TrimSuffix(v, "σ"), "sigma")
	k, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || k <= 0 {
		return 0, fmt.Errorf("baseline %q: want a number of standard deviations, like 3σ", t.Baseline)
	}
	return k, nil
}

// Schedule is the digest's cron schedule in its time zone.
func (d Digest) Schedule() (cron.Schedule, error) {
	tz := d.Timezone
	if tz == "" {
		tz = "UTC"
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return nil, fmt.Errorf("unknown time zone %q", tz)
	}
	return CronParser.Parse("CRON_TZ=" + tz + " " + d.Cron)
}

// Threshold is when a threshold rule fires: at least Count matches within Window, counted per
// GroupBy key; it fires once when crossed, then waits Realert before it may fire again.
type Threshold struct {
	// Count of matches that fires the rule. Required without a baseline; with one, the
	// least count that fires.
	Count int `yaml:"count"`
	// Baseline, like "3σ", fires above the mean plus that many standard deviations of the
	// key's daily counts (the daily ETL's keyword_daily, last baseline_days days), scaled to
	// the window. Until min_days of history exist, Count holds (none: it does not fire).
	Baseline string `yaml:"baseline"`
	// BaselineDays of history the baseline reads. Default 28.
	BaselineDays int `yaml:"baseline_days"`
	// MinDays of history before the baseline is used. Default 7.
	MinDays int `yaml:"min_days"`
	// Window the matches are counted over, sliding. Required.
	Window time.Duration `yaml:"window"`
	// GroupBy counts per rule (default), source, author or term (each matched term apart).
	GroupBy string `yaml:"group_by"`
	// Realert is the cool-down after firing. Default: the window.
	Realert time.Duration `yaml:"realert"`
	// RealertBackoff doubles the cool-down each time the rule fires again right after one,
	// up to RealertMax; it resets once the rule has been quiet for a cool-down and a window.
	RealertBackoff bool `yaml:"realert_backoff"`
	// RealertMax caps the doubled cool-down. Default 24h.
	RealertMax time.Duration `yaml:"realert_max"`
}

// Sink is one destination for alerts.
type Sink struct {
	// Name is unique; rules refer to it.
	Name string `yaml:"name"`
	// Type: file (JSON lines appended to Path), console (JSON lines on stdout), slack (an
	// incoming webhook) or email (SMTP).
	Type string `yaml:"type"`
	// Path of the file a file sink appends to.
	Path string `yaml:"path"`

	// WebhookURL of a slack sink: inline, or "${ENV_VAR}". Never logged.
	WebhookURL string `yaml:"webhook_url"`
	// WebhookURLFile holds the webhook URL instead (a mounted secret).
	WebhookURLFile string `yaml:"webhook_url_file"`

	// SMTP server of an email sink.
	Host string `yaml:"host"`
	// Port: default 587 (STARTTLS); 465 for implicit TLS.
	Port int `yaml:"port"`
	// TLS: starttls (default), implicit, or none (only for a local relay).
	TLS      string `yaml:"tls"`
	Username string `yaml:"username"`
	// Password: inline, or "${ENV_VAR}". Never logged.
	Password string `yaml:"password"`
	// PasswordFile holds the password instead.
	PasswordFile string `yaml:"password_file"`
	// From is the sender address; To the recipients.
	From string   `yaml:"from"`
	To   []string `yaml:"to"`
}

// Load reads the file at path, applies the environment overrides and defaults, and validates.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("invalid config %s:\n%w", path, err)
	}
	cfg.resolvePaths(filepath.Dir(path))
	return cfg, nil
}

// resolvePaths makes the files a source refers to (cookies, selectors, a file:// page)
// relative to the configuration file's folder, so a config works from any working
// directory. Sink paths stay relative to the working directory: they are outputs.
func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		s.Cookies = abs(s.Cookies)
		s.Selectors = abs(s.Selectors)
		if rest, ok := strings.CutPrefix(s.URL, "file://"); ok && !strings.HasPrefix(rest, "/") {
			if p, err := filepath.Abs(abs(rest)); err == nil {
				s.URL = "file://" + p
			}
		}
	}
}

// Parse decodes YAML, applies environment overrides and defaults, and validates. Unknown keys
// are errors, so a misspelt field is not silently ignored.
func Parse(data []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, errEOF) {
		return nil, fmt.Errorf("cannot parse YAML: %w", err)
	}
	cfg.applyEnv()
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	token, err := resolveSecret("api.token", cfg.API.Token, cfg.API.TokenFile)
	if err != nil {
		return nil, err
	}
	cfg.API.Token = token
	if err := cfg.Admin.resolve(); err != nil {
		return nil, err
	}
	for i := range cfg.Sinks {
		s := &cfg.Sinks[i]
		field := fmt.Sprintf("sinks[%d]", i)
		if s.WebhookURL, err = resolveSecret(field+".webhook_url", s.WebhookURL, s.WebhookURLFile); err != nil {
			return nil, err
		}
		if s.Password, err = resolveSecret(field+".password", s.Password, s.PasswordFile); err != nil {
			return nil, err
		}
	}
	return &cfg, nil
}

func (c *Config) applyEnv() {
	if v := os.Getenv(EnvRedisURL); v != "" {
		c.Redis.URL = v
	}
	if v := os.Getenv(EnvMySQLDSN); v != "" {
		c.MySQL.DSN = v
	}
	if v := os.Getenv(EnvMySQLMaxConns); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			c.MySQL.MaxConns = n
		}
	}
	if v := os.Getenv(EnvAPIToken); v != "" {
		c.API.Token = v
	}
	c.Admin.applyEnv()
}

// Stage names, in pipeline order.
const (
	StageNormalize = "normalize"
	StageMatch     = "match"
	StageEvaluate  = "evaluate"
	StageNotify    = "notify"
	StageCrawl     = "crawl"
	StageHealth    = "health"
)

// Stages lists the stage names in pipeline order.
var Stages = []string{StageCrawl, StageNormalize, StageMatch, StageEvaluate, StageHealth, StageNotify}

var defaultConsumers = map[string]int{
	StageNormalize: 2,
	StageMatch:     2,
	StageEvaluate:  4,
	StageNotify:    2,
	StageCrawl:     2,
	StageHealth:    1,
}

func (c *Config) setDefaults() {
	if len(c.Redis.Cluster) > 0 && c.Redis.URL == "" {
		c.Redis.URL = "redis+cluster://" + strings.Join(c.Redis.Cluster, ",")
	}
	if c.Redis.WaitTimeout == 0 {
		c.Redis.WaitTimeout = 2 * time.Second
	}
	if c.Topics.Partitions == 0 {
		c.Topics.Partitions = 1
	}
	if c.Pipeline.Consumers == nil {
		c.Pipeline.Consumers = map[string]int{}
	}
	for stage, n := range defaultConsumers {
		if _, ok := c.Pipeline.Consumers[stage]; !ok {
			c.Pipeline.Consumers[stage] = n
		}
	}
	if c.Pipeline.CloseTimeout == 0 {
		c.Pipeline.CloseTimeout = 30 * time.Second
	}
	if c.Pipeline.MessageTimeout == 0 {
		c.Pipeline.MessageTimeout = 30 * time.Second
	}
	if c.Pipeline.BatchSize == 0 {
		c.Pipeline.BatchSize = 256
	}
	if c.MySQL.MaxConns == 0 {
		c.MySQL.MaxConns = 16
	}
	c.setSourceDefaults()
	c.Retention.setDefaults()
	if c.Topics.MaxAge == 0 {
		c.Topics.MaxAge = 7 * 24 * time.Hour
	}
	if c.API.MaxBodyBytes == 0 {
		c.API.MaxBodyBytes = 10 << 20
	}
	if c.Pipeline.DeliveryRetryBase == 0 {
		c.Pipeline.DeliveryRetryBase = 5 * time.Second
	}
	if c.Pipeline.MaxDeliveries == 0 {
		c.Pipeline.MaxDeliveries = 10
	}
	if c.Pipeline.ClaimIdle == 0 {
		c.Pipeline.ClaimIdle = 60 * time.Second
	}
	if c.Pipeline.RetryMaxInterval == 0 {
		c.Pipeline.RetryMaxInterval = 30 * time.Second
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Type == "" {
			r.Type = RuleInstant
		}
		if r.Variants == "" {
			r.Variants = VariantsFold
		}
		if r.Type == RuleDigest && r.Digest.Top == 0 {
			r.Digest.Top = 10
		}
		if r.Type == RuleThreshold {
			if r.Threshold.GroupBy == "" {
				r.Threshold.GroupBy = GroupByRule
			}
			if r.Threshold.Realert == 0 {
				r.Threshold.Realert = r.Threshold.Window
			}
			if r.Threshold.RealertMax == 0 {
				r.Threshold.RealertMax = 24 * time.Hour
			}
			if r.Threshold.BaselineDays == 0 {
				r.Threshold.BaselineDays = 28
			}
			if r.Threshold.MinDays == 0 {
				r.Threshold.MinDays = 7
			}
		}
	}
}

// Embedded says whether neither Redis nor MySQL is configured, so the in-process stand-ins run.
func (c *Config) Embedded() bool { return c.Redis.URL == "" && c.MySQL.DSN == "" }

// SinkByName returns the sink called name.
func (c *Config) SinkByName(name string) (Sink, bool) {
	for _, s := range c.Sinks {
		if s.Name == name {
			return s, true
		}
	}
	return Sink{}, false
}
