package web

import (
	"context"
	"errors"
	"time"
)

// Data is what the console reads and changes. The pipeline implements it over the store,
// Redis and the configuration (pipeline/console.go); the types here are the console's own
// read models, so the pages depend on no table or stream layout.
type Data interface {
	Overview(ctx context.Context) (Overview, error)
	Sources(ctx context.Context) ([]Source, error)
	// CrawlNow queues a crawl of the source and returns its job id.
	CrawlNow(ctx context.Context, source string) (string, error)
	Rules(ctx context.Context) ([]Rule, error)
	Rule(ctx context.Context, name string, days int) (RuleDetail, error)
	// TestRule runs the rule over the posts of the last days in a simulation: nothing is
	// written or sent.
	TestRule(ctx context.Context, name string, days int) (RuleTest, error)
	Alerts(ctx context.Context, f AlertFilter) ([]Alert, error)
	Alert(ctx context.Context, id int64) (AlertDetail, error)
	// Resend makes the failed and dead deliveries of an alert due now; how many.
	Resend(ctx context.Context, id int64) (int64, error)
	Poison(ctx context.Context) ([]PoisonTopic, error)
	PoisonEntry(ctx context.Context, topic, id string) (PoisonEntry, error)
	// Requeue sends entries of a poison topic back to the topic they came from and removes
	// them from the poison topic; Drop only removes them. Both return how many they moved.
	Requeue(ctx context.Context, topic string, ids []string) (int, error)
	Drop(ctx context.Context, topic string, ids []string) (int, error)
	Silences(ctx context.Context) ([]Silence, error)
	AddSilence(ctx context.Context, s Silence) error
	EndSilences(ctx context.Context, rule, key string) (int64, error)
}

// ErrNotFound is what Data returns for an alert, rule, source or entry that does not exist:
// the console answers 404.
var ErrNotFound = errors.New("not found")

// ErrInvalid wraps an input Data refuses (an unknown rule for a silence, say): 400, and its
// message is shown.
var ErrInvalid = errors.New("invalid")

// Overview is the first page.
type Overview struct {
	Stages []Stage
	// Throughput is rows written per minute per stage over the last hours, oldest first.
	Throughput  []Series
	Since       time.Time
	Deliveries  []Count
	Sources     []Count
	Leader      string // holder of the leader jobs' lease, "" when none
	Scheduler   string // holder of the scheduler's lease
	Instances   []Instance
	Unreachable []Problem
}

// Stage is one consumer group on its topic.
type Stage struct {
	Group, Topic  string
	Lag           int64
	LagAtLeast    bool
	Pending       int64
	OldestPending *time.Time
	Poisoned      int64 // entries in the topic's poison topic
	Consumers     int
	Error         string
}

// Series is one line of a chart.
type Series struct {
	Name   string
	Points []int64
}

// Count is one bar of a breakdown.
type Count struct {
	Name string
	N    int64
}

// Instance is a process seen recently, from its consumers' names.
type Instance struct {
	Name   string
	Stages []string
	Idle   time.Duration
}

// Problem names what could not be read and why.
type Problem struct{ What, Why string }

// Source is one configured source and its crawls.
type Source struct {
	Name, Kind, Account, State, LastVerdict string
	PausedUntil, LastCrawl, LastNewPost     *time.Time
	NextDue                                 *time.Time
	Runs                                    []CrawlRun
}

// CrawlRun is one crawl of a source.
type CrawlRun struct {
	JobID            string
	StartedAt        time.Time
	FinishedAt       *time.Time
	Verdict          string
	Pages, New, Seen int
	// Error holds the error and, for an unexpected page, the saved start of it.
	Error string
}

// Duration is how long the crawl took, "" while it runs.
func (r CrawlRun) Duration() string {
	if r.FinishedAt == nil {
		return ""
	}
	return r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
}

// Rule is one configured rule.
type Rule struct {
	Name, Query, Type string
	Sinks             []string
	Silenced          bool
}

// RuleDetail is a rule's page.
type RuleDetail struct {
	Rule
	// Daily is matches per day over the last days, oldest first, from the daily ETL
	// (keyword_daily); Days[i] is the day of Daily[i].
	Daily []int64
	Days  []time.Time
	// Threshold is the count a threshold rule fires at within its window (0: none);
	// Baseline says it compares against the daily mean and spread instead.
	Threshold int
	Window    time.Duration
	Baseline  string
	// BaselineLevel is the daily count the baseline fires above (mean + kσ of the days
	// shown), drawn on the chart; 0 without a baseline.
	BaselineLevel float64
	Alerts        []Alert
	Silences      []Silence
}

// RuleTest is what a rule would have fired over stored posts.
type RuleTest struct {
	Rule           string
	Since          time.Time
	Posts, Matches int
	Hits           []RuleTestHit
}

// RuleTestHit is one alert a rule test would have made.
type RuleTestHit struct {
	At                 time.Time
	Source, ExternalID string
	Terms              []string
	Summary            string
	Suppressed         string
	Text               []Segment
}

// AlertFilter selects alerts; empty fields match all.
type AlertFilter struct {
	Rule, Source, Status string
	From, To             time.Time
	Limit                int
}

// Alert is one line of the alert list.
type Alert struct {
	ID                 int64
	CreatedAt          time.Time
	Rule, Kind         string
	Source, ExternalID string
	Terms              []string
	Suppressed         string
	Summary            string
	Backfill           bool
}

// AlertDetail is an alert's page.
type AlertDetail struct {
	Alert
	Published bool
	Query     string
	Author    string
	URL       string // the post's link; shown only when http or https
	PostedAt  *time.Time
	// Text is the post's text cut where the matched terms are, as written.
	Text       []Segment
	Deliveries []Delivery
}

// Segment is a piece of text; Match marks a matched term.
type Segment struct {
	Text  string
	Match bool
}

// Delivery is an alert's delivery to one sink.
type Delivery struct {
	Sink, Status  string
	Attempts      int
	NextAttemptAt *time.Time
	SentAt        *time.Time
	LastError     string
	UpdatedAt     time.Time
}

// PoisonTopic is a `<topic>.poison` stream and its newest entries.
type PoisonTopic struct {
	Topic   string // the poison topic
	Origin  string // the topic its entries came from
	Length  int64
	Entries []PoisonEntry
}

// PoisonEntry is one poisoned message.
type PoisonEntry struct {
	Topic   string // the poison topic
	ID      string // the stream entry id
	At      time.Time
	Origin  string // topic_poisoned
	Handler string
	Reason  string
	UUID    string
	// Metadata is the message's metadata but the poison keys; Payload its body (shown as
	// text, cut at a bound).
	Metadata map[string]string
	Payload  string
}

// Silence is a silence in force.
type Silence struct {
	Rule, Key, Reason string
	Until             time.Time
}
