// Package handlers holds the pipeline's stages as plain functions over plain values
// (normalize, match, evaluate, health and notify, and the digest a leader job builds), the
// messages between them, and the store interfaces they write through. They know nothing of
// Redis, watermill or fx; package pipeline wires them to topics.
package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"groupwatch/config"
)

// Version is the payload version every message carries in its "v" field. A message with
// another version is poisoned rather than guessed at.
const Version = 1

// ErrPermanent marks an error that no retry can fix (malformed input, unknown version): the
// message goes to the poison topic with the reason. Every other error is taken as transient
// and retried with backoff.
var ErrPermanent = errors.New("permanent")

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds.
func Permanent(err error) error { return permanentError{err} }

type permanentError struct{ err error }

func (e permanentError) Error() string        { return e.err.Error() }
func (e permanentError) Unwrap() []error      { return []error{e.err, ErrPermanent} }
func (e permanentError) Is(target error) bool { return target == ErrPermanent }

// RawPost is a post as it arrived, on posts.raw.
type RawPost struct {
	V          int        `json:"v"`
	Source     string     `json:"source"`
	ExternalID string     `json:"external_id"`
	Author     string     `json:"author,omitempty"`
	Text       string     `json:"text"`
	URL        string     `json:"url,omitempty"`
	PostedAt   *time.Time `json:"posted_at,omitempty"`
	// Raw is the post exactly as it was handed in, unknown fields included.
	Raw json.RawMessage `json:"raw,omitempty"`
	// ReceivedAt is when groupwatch first saw it; end-to-end latency is measured from here.
	ReceivedAt time.Time `json:"received_at"`
}

// Limits that match the columns in schema.sql, and keep every write well below the packet
// size MySQL accepts (max_allowed_packet: 16 MiB on MariaDB, 64 MiB on MySQL 8, by default).
// Text and raw payload are counted in bytes, as MEDIUMTEXT and the packet count them.
const (
	MaxKeyLen     = 191 // source, external_id: characters (VARBINARY(764) holds 191 of UTF-8)
	MaxAuthorLen  = 255 // characters, VARCHAR(255)
	MaxURLLen     = 2048
	MaxTextBytes  = 4 << 20 // a post's text
	MaxRawBytes   = 8 << 20 // the post as it was handed in (it holds the text again)
	maxErrShowLen = 40
)

// Validate says what is wrong with a post, naming the field; nil when it can be stored.
func (p RawPost) Validate() error {
	check := func(field, v string, required bool, maxRunes int) error {
		switch {
		case required && v == "":
			return fmt.Errorf("%s: missing", field)
		case !utf8.ValidString(v):
			return fmt.Errorf("%s: not valid UTF-8", field)
		case utf8.RuneCountInString(v) > maxRunes:
			return fmt.Errorf("%s: longer than %d characters", field, maxRunes)
		}
		return nil
	}
	text := func() error {
		switch {
		case len(p.Text) > MaxTextBytes:
			return fmt.Errorf("text: %d bytes, more than the limit of %d bytes (4 MiB)", len(p.Text), MaxTextBytes)
		case !utf8.ValidString(p.Text):
			return errors.New("text: not valid UTF-8")
		}
		return nil
	}
	raw := func() error {
		switch {
		case len(p.Raw) > MaxRawBytes:
			return fmt.Errorf("raw: %d bytes, more than the limit of %d bytes (8 MiB)", len(p.Raw), MaxRawBytes)
		case !utf8.Valid(p.Raw):
			return errors.New("raw: not valid UTF-8")
		}
		return nil
	}
	return errors.Join(
		checkID("source", p.Source),
		checkID("external_id", p.ExternalID),
		check("author", p.Author, false, MaxAuthorLen),
		check("url", p.URL, false, MaxURLLen),
		text(),
		raw(),
	)
}

// checkID says what is wrong with a source or an external id. An id is 1 to 191 characters
// of valid UTF-8, without control characters and without white space at either end: the
// database and Go then compare ids the same way, and "42" and "42 " (which a careless
// export or a copy from a spreadsheet makes) are not taken for two posts, nor for one.
func checkID(field, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("%s: missing", field)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s: not valid UTF-8", field)
	case utf8.RuneCountInString(v) > MaxKeyLen:
		return fmt.Errorf("%s: longer than %d characters", field, MaxKeyLen)
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return fmt.Errorf("%s: %s begins or ends with white space", field, quoteID(v))
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s: %s holds the control character %U", field, quoteID(v), r)
		}
	}
	return nil
}

// quoteID shows an id in an error, quoted so white space is seen, and cut when long.
func quoteID(v string) string {
	if r := []rune(v); len(r) > maxErrShowLen {
		v = string(r[:maxErrShowLen]) + "…"
	}
	return strconv.Quote(v)
}

// Outcome tells what normalize found when it stored a post.
type Outcome string

// Outcomes of storing a post.
const (
	OutcomeNew      Outcome = "new"
	OutcomeEdited   Outcome = "edited"
	OutcomeRepeated Outcome = "repeated"
)

// NormalizedPost is a stored post that is new or edited, on posts.normalized.
type NormalizedPost struct {
	V          int        `json:"v"`
	PostID     int64      `json:"post_id"`
	Outcome    Outcome    `json:"outcome"`
	Source     string     `json:"source"`
	ExternalID string     `json:"external_id"`
	Author     string     `json:"author,omitempty"`
	URL        string     `json:"url,omitempty"`
	Text       string     `json:"text"`
	Normalized string     `json:"normalized"`
	PostedAt   *time.Time `json:"posted_at,omitempty"`
	ReceivedAt time.Time  `json:"received_at"`
}

// RuleMatch is one rule that matched a post, with the terms that made it match.
type RuleMatch struct {
	Rule  string   `json:"rule"`
	Terms []string `json:"terms"`
}

// MatchedPost is a post that matched at least one rule, on posts.matched.
type MatchedPost struct {
	V          int         `json:"v"`
	PostID     int64       `json:"post_id"`
	Source     string      `json:"source"`
	ExternalID string      `json:"external_id"`
	Author     string      `json:"author,omitempty"`
	URL        string      `json:"url,omitempty"`
	Text       string      `json:"text"`
	PostedAt   *time.Time  `json:"posted_at,omitempty"`
	ReceivedAt time.Time   `json:"received_at"`
	Matches    []RuleMatch `json:"matches"`
}

// Alert is a stored alert on its way to the sinks, on the alerts topic.
type Alert struct {
	V          int             `json:"v"`
	AlertID    int64           `json:"alert_id"`
	DedupKey   string          `json:"dedup_key"`
	Rule       string          `json:"rule"`
	Kind       config.RuleKind `json:"kind"`
	Sinks      []string        `json:"sinks"`
	PostID     int64           `json:"post_id"`
	Source     string          `json:"source"`
	ExternalID string          `json:"external_id"`
	Author     string          `json:"author,omitempty"`
	URL        string          `json:"url,omitempty"`
	Text       string          `json:"text"`
	Terms      []string        `json:"terms"`
	PostedAt   *time.Time      `json:"posted_at,omitempty"`
	ReceivedAt time.Time       `json:"received_at"`
	CreatedAt  time.Time       `json:"created_at"`
	// GroupKey and Summary say what a threshold alert counted ("12 matches in 1h0m0s for
	// source fb:x (threshold 10)"); empty for instant alerts.
	GroupKey string `json:"group_key,omitempty"`
	Summary  string `json:"summary,omitempty"`
	// Trend is the rule's matches over time, for threshold and digest alerts (email sinks
	// draw it); empty for instant alerts.
	Trend []TrendPoint `json:"trend,omitempty"`
	// Variants is "exact" when the rule matches Chinese characters only as written; empty
	// when its terms match their Traditional, Simplified and regional forms too. Sinks
	// highlight the terms in the post's own characters either way.
	Variants string `json:"variants,omitempty"`
}

// VariantsExact is Alert.Variants of a rule that matches Chinese characters only as written.
const VariantsExact = "exact"

// variantsOf is Alert.Variants for a rule.
func variantsOf(rule RuleInfo) string {
	if rule.ExactVariants {
		return VariantsExact
	}
	return ""
}

// TrendPoint is the number of matches in one interval starting At.
type TrendPoint struct {
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}

// RetryAfter is implemented by a sink's error that knows when to try again, such as Slack's
// 429 with Retry-After. Other transient errors are retried with backoff.
type RetryAfter interface {
	RetryAfter() time.Duration
}

// HealthEvent says a source stopped producing: blocked, at a checkpoint, behind a login
// wall, gone, or quiet for too long; on sources.health.
type HealthEvent struct {
	V           int        `json:"v"`
	Source      string     `json:"source"`
	Account     string     `json:"account"`
	Verdict     string     `json:"verdict"`
	State       string     `json:"state"`
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	Detail      string     `json:"detail,omitempty"`
	At          time.Time  `json:"at"`
}
