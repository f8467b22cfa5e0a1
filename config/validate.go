package config

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"net"
	"net/url"
	"strings"
	texttemplate "text/template"
	"unicode"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"

	"groupwatch/query"
)

var errEOF = io.EOF

// HealthRuleName is the rule the pipeline adds itself, which source-health alerts are
// stored under; no configured rule may take it.
const HealthRuleName = "source-health"

// RuleKind is what a rule does with its matches (a rule's type), and so the kind of the
// alerts it makes.
type RuleKind string

// Rule kinds.
const (
	RuleInstant   RuleKind = "instant"   // one alert per matching post
	RuleThreshold RuleKind = "threshold" // at least a count of matches within a window
	RuleDigest    RuleKind = "digest"    // one message per period, on a schedule
	// RuleHealth is the kind of the health rule (HealthRuleName): no configured rule has it.
	RuleHealth RuleKind = "health"
)

// Group-by keys of threshold rules.
const (
	GroupByRule   = "rule"
	GroupBySource = "source"
	GroupByAuthor = "author"
	GroupByTerm   = "term"
)

// Sink types.
const (
	SinkFile    = "file"
	SinkConsole = "console"
	SinkSlack   = "slack"
	SinkEmail   = "email"
)

// maxNameLen matches the VARCHAR(191) name columns in schema.sql.
const maxNameLen = 191

// FieldError is one problem with one field, named by its path in the file.
type FieldError struct {
	Field string // e.g. rules[2].query
	Msg   string // e.g. unbalanced parenthesis at column 14
}

func (e FieldError) Error() string { return e.Field + ": " + e.Msg }

// Errors is every problem found in a file; validation does not stop at the first.
type Errors []FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Validate checks every field and returns all problems as Errors.
func (c *Config) Validate() error {
	var errs Errors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}

	if c.Redis.URL != "" {
		if _, err := url.Parse(c.Redis.URL); err != nil || !strings.HasPrefix(c.Redis.URL, "redis") {
			// Never echo the URL: it may hold a password.
			add("redis.url", "not a redis://, rediss:// or redis+cluster:// URL")
		}
		if len(c.Redis.Cluster) > 0 && c.Redis.URL != "redis+cluster://"+strings.Join(c.Redis.Cluster, ",") {
			add("redis.cluster", "set redis.url or redis.cluster, not both")
		}
	}
	for i, addr := range c.Redis.Cluster {
		if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
			add(fmt.Sprintf("redis.cluster[%d]", i), "want host:port, got %q", addr)
		}
	}
	if c.Redis.WaitReplicas < 0 || c.Redis.WaitReplicas > 16 {
		add("redis.wait_replicas", "must be between 0 and 16, got %d", c.Redis.WaitReplicas)
	}
	if c.Redis.WaitTimeout < 0 {
		add("redis.wait_timeout", "must not be negative")
	}
	if c.Topics.Partitions < 1 || c.Topics.Partitions > 256 {
		add("topics.partitions", "must be between 1 and 256, got %d", c.Topics.Partitions)
	} else if c.Topics.Partitions > 1 && strings.ContainsAny(c.Topics.Prefix, "{}") {
		add("topics.prefix", "a hash tag in the prefix puts every partition in one cluster slot; drop it when topics.partitions is over 1 (each partition has a tag of its own)")
	}
	if c.MySQL.DSN != "" {
		if _, err := mysql.ParseDSN(c.MySQL.DSN); err != nil {
			add("mysql.dsn", "not a valid DSN (user:pass@tcp(host:3306)/db)")
		}
	}
	if c.MySQL.MaxConns < 1 || c.MySQL.MaxConns > 1000 {
		add("mysql.max_conns", "must be between 1 and 1000")
	}
	if (c.Redis.URL == "") != (c.MySQL.DSN == "") {
		add("redis.url", "set both redis.url and mysql.dsn, or neither for the embedded stand-ins")
	}
	if strings.ContainsAny(c.Topics.Prefix, " \t\n") {
		add("topics.prefix", "must not contain white space")
	}
	if c.Topics.MaxLen < 0 {
		add("topics.max_len", "must not be negative")
	}
	c.validateRetention(add)
	for stage, n := range c.Pipeline.Consumers {
		if _, ok := defaultConsumers[stage]; !ok {
			add("pipeline.consumers."+stage, "unknown stage (known: %s)", strings.Join(Stages, ", "))
		} else if n < 1 || n > 256 {
			add("pipeline.consumers."+stage, "must be between 1 and 256, got %d", n)
		}
	}
	if c.Pipeline.BatchSize < 1 || c.Pipeline.BatchSize > 10000 {
		add("pipeline.batch_size", "must be between 1 and 10000, got %d", c.Pipeline.BatchSize)
	}
	if c.Pipeline.CloseTimeout < 0 || c.Pipeline.MessageTimeout < 0 || c.Pipeline.RetryMaxInterval < 0 || c.Pipeline.ClaimIdle < 0 {
		add("pipeline", "durations must not be negative")
	}

	if c.API.MaxBodyBytes < 0 {
		add("api.max_body_bytes", "must not be negative")
	}
	if c.API.Token != "" && c.API.TokenFile != "" {
		add("api.token_file", "set api.token or api.token_file, not both")
	}
	c.Admin.validate(add)

	sinks := map[string]bool{}
	for i, s := range c.Sinks {
		field := fmt.Sprintf("sinks[%d]", i)
		checkName(field+".name", s.Name, add)
		if sinks[s.Name] {
			add(field+".name", "duplicate sink name %q", s.Name)
		}
		sinks[s.Name] = true
		switch s.Type {
		case SinkFile:
			if s.Path == "" {
				add(field+".path", "a file sink needs a path")
			}
		case SinkConsole:
			if s.Path != "" {
				add(field+".path", "a console sink writes to stdout and takes no path")
			}
		case SinkSlack:
			if s.WebhookURL == "" && s.WebhookURLFile == "" {
				add(field+".webhook_url", "a slack sink needs an incoming-webhook URL (inline, ${ENV_VAR} or webhook_url_file)")
			}
		case SinkEmail:
			// The email sink checks the rest (TLS, port, addresses) when it is built.
			if s.Host == "" {
				add(field+".host", "an email sink needs an SMTP host")
			}
			if s.From == "" {
				add(field+".from", "an email sink needs a from address")
			}
			if len(s.To) == 0 {
				add(field+".to", "an email sink needs at least one recipient")
			}
		case "":
			add(field+".type", "missing (file, console, slack or email)")
		default:
			add(field+".type", "unknown sink type %q (file, console, slack or email)", s.Type)
		}
	}

	if len(c.Rules) == 0 {
		add("rules", "no rules: nothing would ever alert")
	}
	rules := map[string]bool{}
	for i, r := range c.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		checkName(field+".name", r.Name, add)
		if r.Name == HealthRuleName {
			add(field+".name", "%q is the name of source-health alerts; choose another", r.Name)
		}
		if rules[r.Name] {
			add(field+".name", "duplicate rule name %q", r.Name)
		}
		rules[r.Name] = true
		if strings.TrimSpace(r.Query) == "" {
			add(field+".query", "missing")
		} else if _, err := query.Parse(r.Query); err != nil {
			add(field+".query", "%s", err)
		}
		if r.Variants != VariantsFold && r.Variants != VariantsExact {
			add(field+".variants", "unknown value %q (fold or exact)", r.Variants)
		}
		if r.Type != RuleThreshold && r.Threshold != (Threshold{}) {
			add(field+".threshold", "only a threshold rule takes threshold settings (type: threshold)")
		}
		if r.Type != RuleDigest && r.Digest != (Digest{}) {
			add(field+".digest", "only a digest rule takes digest settings (type: digest)")
		}
		switch r.Type {
		case RuleInstant:
		case RuleDigest:
			if r.Digest.Cron == "" {
				add(field+".digest.cron", "a digest rule needs a schedule, like '0 9 * * 1'")
			} else if _, err := r.Digest.Schedule(); err != nil {
				add(field+".digest", "%v", err)
			}
			if r.Digest.Top < 1 || r.Digest.Top > 100 {
				add(field+".digest.top", "must be between 1 and 100")
			}
		case RuleThreshold:
			t := r.Threshold
			sigmas, err := t.Sigmas()
			if err != nil {
				add(field+".threshold.baseline", "%v", err)
			}
			if t.Count < 1 && sigmas == 0 {
				add(field+".threshold.count", "must be at least 1 (or set a baseline, like 3σ)")
			}
			if t.Count < 0 || t.BaselineDays < 1 || t.MinDays < 1 || t.MinDays > t.BaselineDays {
				add(field+".threshold", "count must not be negative, and 1 <= min_days <= baseline_days")
			}
			if t.Window <= 0 {
				add(field+".threshold.window", "must be a positive duration, like 1h")
			}
			switch t.GroupBy {
			case GroupByRule, GroupBySource, GroupByAuthor, GroupByTerm:
			default:
				add(field+".threshold.group_by", "unknown %q (rule, source, author or term)", t.GroupBy)
			}
			if t.Realert < 0 || t.RealertMax < t.Realert {
				add(field+".threshold.realert", "must be positive and at most realert_max")
			}
		default:
			add(field+".type", "unknown rule type %q (supported: instant, threshold, digest)", r.Type)
		}
		if len(r.Sinks) == 0 {
			add(field+".sinks", "a rule needs at least one sink")
		}
		if r.Templates.Text != "" {
			if _, err := texttemplate.New(r.Name).Parse(r.Templates.Text); err != nil {
				add(field+".templates.text", "%v", err)
			}
		}
		if r.Templates.HTML != "" {
			if _, err := htmltemplate.New(r.Name).Parse(r.Templates.HTML); err != nil {
				add(field+".templates.html", "%v", err)
			}
		}
		for j, name := range r.Sinks {
			if !sinks[name] {
				add(fmt.Sprintf("%s.sinks[%d]", field, j), "no sink named %q", name)
			}
		}
	}
	c.validateSources(add)
	for j, name := range c.Health.Sinks {
		if !sinks[name] {
			add(fmt.Sprintf("health.sinks[%d]", j), "no sink named %q", name)
		}
	}
	if c.Health.QuietAfter < 0 {
		add("health.quiet_after", "must not be negative")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func checkName(field, name string, add func(field, format string, args ...any)) {
	switch {
	case strings.TrimSpace(name) == "":
		add(field, "missing")
	case utf8.RuneCountInString(name) > maxNameLen:
		add(field, "longer than %d characters", maxNameLen)
	case name != strings.TrimSpace(name):
		add(field, "has leading or trailing white space")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		// A source's name is the source of its posts: the same rule as for post ids.
		add(field, "holds a control character")
	}
}

// AsErrors returns the field errors inside err, if it holds any.
func AsErrors(err error) (Errors, bool) {
	var es Errors
	ok := errors.As(err, &es)
	return es, ok
}
