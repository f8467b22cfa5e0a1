package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retention says how long MySQL keeps rows. The leader's purge job (leader/purge.go) deletes
// older ones in small batches; `pipeline purge --dry-run` shows what it would delete.
type Retention struct {
	// Posts older than this (by first_seen_at) are deleted, with their matches and rule
	// events, except posts an alert refers to: those go once their alerts have gone. Default
	// 180d.
	Posts Age `yaml:"posts"`
	// CrawlRuns older than this (by started_at) are deleted; an unfinished run never is.
	// Default 90d.
	CrawlRuns Age `yaml:"crawl_runs"`
	// Alerts older than this (by created_at) are deleted with their deliveries, except an
	// alert with a delivery still to be sent. Default keep.
	Alerts Age `yaml:"alerts"`
	// Deliveries that are sent or dead and older than this (by updated_at) are deleted.
	// Default keep. A deleted delivery is not sent again only while its alert's stream
	// entry is gone too, so it must be at least a week (topics.max_age's default).
	Deliveries Age `yaml:"deliveries"`
	// KeywordDaily rows older than this (by day) are deleted. Default keep. Must cover the
	// longest threshold.baseline_days.
	KeywordDaily Age `yaml:"keyword_daily"`
	// BatchSize is the most rows one DELETE removes. Default 500: each statement holds its
	// row locks briefly, so the pipeline's writes never wait long behind a purge.
	BatchSize int `yaml:"batch_size"`
	// Pause between two DELETEs, so replication and the pipeline keep up. Default 100ms.
	Pause time.Duration `yaml:"pause"`
	// Every is how often the leader looks for rows to purge. Default 1h.
	Every time.Duration `yaml:"every"`
}

// Age is a retention period: a Go duration ("36h"), a number of days ("180d"), or "keep"
// (never delete).
type Age string

// Keep is the Age that never deletes.
const Keep Age = "keep"

// Duration is the period; 0 means keep. Call it on a validated Age.
func (a Age) Duration() time.Duration {
	d, _ := a.parse()
	return d
}

func (a Age) parse() (time.Duration, error) {
	s := strings.TrimSpace(string(a))
	if s == "" || s == string(Keep) {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q is not a number of days, a duration or keep", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a number of days (180d), a duration (36h) or keep", s)
	}
	return d, nil
}

func (r *Retention) setDefaults() {
	if r.Posts == "" {
		r.Posts = "180d"
	}
	if r.CrawlRuns == "" {
		r.CrawlRuns = "90d"
	}
	for _, a := range []*Age{&r.Alerts, &r.Deliveries, &r.KeywordDaily} {
		if *a == "" {
			*a = Keep
		}
	}
	if r.BatchSize == 0 {
		r.BatchSize = 500
	}
	if r.Pause == 0 {
		r.Pause = 100 * time.Millisecond
	}
	if r.Every == 0 {
		r.Every = time.Hour
	}
}

// validateRetention checks the retention section against itself and the rules.
func (c *Config) validateRetention(add func(field, format string, args ...any)) {
	r := c.Retention
	ages := []struct {
		field string
		age   Age
		least time.Duration
	}{
		{"retention.posts", r.Posts, 24 * time.Hour},
		{"retention.crawl_runs", r.CrawlRuns, 24 * time.Hour},
		{"retention.alerts", r.Alerts, 24 * time.Hour},
		{"retention.deliveries", r.Deliveries, 7 * 24 * time.Hour},
		{"retention.keyword_daily", r.KeywordDaily, 24 * time.Hour},
	}
	for _, a := range ages {
		d, err := a.age.parse()
		switch {
		case err != nil:
			add(a.field, "%v", err)
		case d != 0 && d < a.least:
			add(a.field, "%s is shorter than the least, %s (or keep)", a.age, a.least)
		}
	}
	if kd := r.KeywordDaily.Duration(); kd > 0 {
		for i, rule := range c.Rules {
			if rule.Type == RuleThreshold && rule.Threshold.Baseline != "" &&
				kd < time.Duration(rule.Threshold.BaselineDays+1)*24*time.Hour {
				add("retention.keyword_daily", "%s is shorter than rules[%d].threshold.baseline_days (%d) and a day", r.KeywordDaily, i, rule.Threshold.BaselineDays)
			}
		}
	}
	if r.BatchSize < 1 || r.BatchSize > 10000 {
		add("retention.batch_size", "must be between 1 and 10000, got %d", r.BatchSize)
	}
	if r.Pause < 0 {
		add("retention.pause", "must not be negative")
	}
	if r.Every < time.Minute {
		add("retention.every", "must be at least 1m, got %s", r.Every)
	}
}
