package sinks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"

	"groupwatch/config"
	"groupwatch/handlers"
)

// Headers the sink adds to every alert mail.
const (
	// HeaderDedupKey carries the alert's dedup key, so a mail filter or a person can spot a
	// repeat of the same alert (a delivery is at least once).
	HeaderDedupKey = "X-Groupwatch-Dedup-Key"
	// HeaderRule carries the rule's name, for mail filters.
	HeaderRule = "X-Groupwatch-Rule"
)

// The chart is drawn at twice the size the mail shows it, so it stays sharp on phones.
const (
	emailChartWidth  = 1120
	emailChartHeight = 360
)

const (
	subjectPrefix     = "[groupwatch] "
	subjectSnippetMax = 60   // runes of the post in the subject
	bodyTextMax       = 3000 // runes of the post in the body
)

// alertMessage composes the mail for an alert: multipart/alternative text and HTML, inside
// multipart/related with the trend chart when the alert has a trend.
func (s *Email) alertMessage(a handlers.Alert, now time.Time) (*gomail.Msg, error) {
	v := s.alertView(a)
	var chart []byte
	if len(a.Trend) > 0 {
		png, scale, err := TrendPNG(a.Trend, emailChartWidth, emailChartHeight)
		if err != nil {
			return nil, fmt.Errorf("cannot draw trend chart: %w", err)
		}
		chart = png
		v.Chart = s.chartView(scale, s.chartCID(a))
	}
	html, err := renderHTML(v)
	if err != nil {
		return nil, err
	}
	text := renderText(v)
	if t, ok := s.opts.Templates[a.Rule]; ok {
		cid := ""
		if v.Chart != nil {
			cid = v.Chart.CID
		}
		if t.HTML != nil {
			if html, err = renderRuleHTML(t.HTML, a, cid); err != nil {
				return nil, err
			}
		}
		if t.Text != nil {
			if text, err = renderRuleText(t.Text, a); err != nil {
				return nil, err
			}
		}
	}

	msg := s.newMessage(now)
	msg.Subject(v.Subject)
	msg.SetMessageIDWithValue(s.messageID(a))
	msg.SetGenHeader(HeaderDedupKey, a.DedupKey)
	msg.SetGenHeader(HeaderRule, a.Rule)
	if a.Kind == config.RuleDigest && s.opts.ListUnsubscribe != "" {
		if strings.HasPrefix(s.opts.ListUnsubscribe, "https:") {
			if err := msg.SetListUnsubscribeOneClick(s.opts.ListUnsubscribe); err != nil {
				return nil, err
			}
		} else {
			msg.SetListUnsubscribe(s.opts.ListUnsubscribe)
		}
	}
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)
	if chart != nil {
		err := msg.EmbedReader("trend.png", bytes.NewReader(chart),
			gomail.WithFileContentID("<"+v.Chart.CID+">"), gomail.WithFileContentType("image/png"),
			gomail.WithFileDescription("Matches over time"))
		if err != nil {
			return nil, fmt.Errorf("cannot embed trend chart: %w", err)
		}
	}
	return msg, nil
}

// testMessage is the short mail SendTest sends.
func (s *Email) testMessage(now time.Time) *gomail.Msg {
	msg := s.newMessage(now)
	msg.Subject(subjectPrefix + "test mail from sink " + s.name)
	msg.SetMessageIDWithValue(fmt.Sprintf("test.%d.%s@%s", now.UnixNano(), s.sinkHash(""), s.domain()))
	msg.SetBodyString(gomail.TypeTextPlain, fmt.Sprintf(
		"This is a test mail from groupwatch's sink %q, sent %s through %s.\r\n"+
			"If you can read it, alerts for this sink will reach you.\r\n",
		s.name, now.In(s.opts.Location).Format("Mon 2 Jan 2006, 15:04 MST"), s.addr))
	return msg
}

// newMessage starts a mail with the headers every mail of this sink has.
func (s *Email) newMessage(now time.Time) *gomail.Msg {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(s.to...)
	msg.SetDateWithValue(now.In(s.opts.Location))
	msg.SetUserAgent("groupwatch")
	// Alerts are machine mail: out-of-office replies should not answer them (RFC 3834, and
	// Exchange's own header).
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	return msg
}

// messageID is the same for every attempt at one alert through one sink, so a mail repeated
// after a crash between sending and recording it carries the Message-ID of the first, and
// mailboxes that drop duplicates (Gmail does) show it once.
func (s *Email) messageID(a handlers.Alert) string {
	return fmt.Sprintf("alert.%d.%s@%s", a.AlertID, s.sinkHash(a.DedupKey), s.domain())
}

// chartCID is the Content-ID of an alert's chart, without angle brackets.
func (s *Email) chartCID(a handlers.Alert) string {
	return fmt.Sprintf("trend.%d.%s@%s", a.AlertID, s.sinkHash(a.DedupKey), s.domain())
}

func (s *Email) sinkHash(key string) string {
	sum := sha256.Sum256([]byte(s.name + "\x00" + key))
	return hex.EncodeToString(sum[:8])
}

// domain is the sender's domain, which Message-IDs end in.
func (s *Email) domain() string {
	_, d, ok := strings.Cut(s.from.Address, "@")
	if !ok || d == "" {
		return "groupwatch.invalid"
	}
	return strings.ToLower(d)
}

// alertView gathers what the mail shows of an alert.
func (s *Email) alertView(a handlers.Alert) emailView {
	text, cut := truncateRunes(a.Text, bodyTextMax)
	v := emailView{
		Rule: a.Rule, Kind: string(a.Kind), KindLabel: kindLabel(a.Kind),
		Source: a.Source, Author: a.Author, URL: postURL(a.URL),
		Terms: a.Terms, Text: highlightTerms(text, a.Terms, a.Variants != handlers.VariantsExact), PlainText: text, Truncated: cut,
		AlertID: a.AlertID,
	}
	v.Subject = subjectPrefix + a.Rule
	if n := trendTotal(a.Trend); len(a.Trend) > 0 {
		v.Subject += fmt.Sprintf(" %s (%s)", a.Kind, plural(n, "match", "matches"))
	}
	v.Snippet = snippet(a.Text, subjectSnippetMax)
	if v.Snippet != "" {
		v.Subject += ": " + v.Snippet
	}
	at, label := a.ReceivedAt, "Seen"
	if a.PostedAt != nil && !a.PostedAt.IsZero() {
		at, label = *a.PostedAt, "Posted"
	}
	if !at.IsZero() {
		v.TimeLabel, v.Time = label, at.In(s.opts.Location).Format("Mon 2 Jan 2006, 15:04 MST")
	}
	if a.Kind == config.RuleDigest {
		v.Unsubscribe = s.opts.ListUnsubscribe
	}
	return v
}

// chartView is the caption of a chart: the image itself has no text.
func (s *Email) chartView(sc TrendScale, cid string) *chartView {
	loc := s.opts.Location
	layout := "2 Jan 15:04"
	if sc.Interval >= 24*time.Hour {
		layout = "Mon 2 Jan"
	}
	zone := sc.Start.In(loc).Format("MST")
	return &chartView{
		CID:      cid,
		Width:    emailChartWidth / 2,
		Height:   emailChartHeight / 2,
		Title:    "Matches " + intervalName(sc.Interval),
		Range:    fmt.Sprintf("%s – %s %s", sc.Start.In(loc).Format(layout), sc.End.In(loc).Format(layout), zone),
		Peak:     plural(sc.Max, "match", "matches") + " at " + sc.Peak.In(loc).Format(layout),
		Total:    sc.Total,
		Gridline: sc.Step,
	}
}

// postURL keeps http and https links only: a mail is no place for javascript: or file:.
func postURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return raw
}

func kindLabel(kind config.RuleKind) string {
	switch kind {
	case config.RuleInstant, "":
		return "New matching post"
	case config.RuleThreshold:
		return "Threshold reached"
	case config.RuleDigest:
		return "Digest"
	}
	return string(kind)
}

func intervalName(d time.Duration) string {
	switch d {
	case time.Minute:
		return "per minute"
	case time.Hour:
		return "per hour"
	case 24 * time.Hour:
		return "per day"
	case 7 * 24 * time.Hour:
		return "per week"
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("per %d hours", d/time.Hour)
	}
	if d%time.Minute == 0 {
		return fmt.Sprintf("per %d minutes", d/time.Minute)
	}
	return "per " + d.String()
}

func trendTotal(pts []handlers.TrendPoint) int {
	n := 0
	for _, p := range pts {
		n += max(p.Count, 0)
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// snippet is the start of text on one line, at most n runes with an ellipsis when cut.
func snippet(text string, n int) string {
	s, cut := truncateRunes(strings.Join(strings.Fields(text), " "), n)
	if cut {
		s = strings.TrimSpace(s) + " …"
	}
	return s
}

// truncateRunes returns the first n runes of s and whether anything was cut.
func truncateRunes(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i], true
}
