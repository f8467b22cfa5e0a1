package sinks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"groupwatch/handlers"
)

// Slack posts alerts to a Slack incoming webhook as Block Kit messages, one alert in as many
// messages as Slack's limits need (see slackMessages). It does not retry: an error says
// whether a retry can help (handlers.ErrPermanent), and a 429 says when (handlers.RetryAfter).
// The webhook URL is a secret: no error names it.
type Slack struct {
	name       string
	webhookURL string
	secrets    []string // what redact hides: the URL and the parts of it that give it away
	client     *http.Client
	lane       *slackLane
	limits     slackLimits
	templates  map[string]RuleTemplates

	mu sync.Mutex
	// sent remembers how far a many-message alert got before an error, so that its retry in
	// this process does not post the first messages again. Lost on restart: at least once.
	sent map[int64]slackProgress
}

type slackProgress struct {
	digest uint64 // of the messages, in case the alert is laid out differently on retry
	sent   int
}

// SlackOptions tune a Slack sink; the zero value gives the defaults.
type SlackOptions struct {
	// Client posts to the webhook; it should have a timeout. Default: a client with a
	// 15-second timeout that does not follow redirects (a webhook never redirects).
	Client *http.Client
	// MaxMessages is the most messages one alert may become (from 1 to 99); a post too long
	// for them is cut, with a note saying how much is missing. Default 5, which takes a post
	// of about 180,000 characters.
	MaxMessages int
	// Templates override, per rule, the text shown for the post (Text; mrkdwn).
	Templates map[string]RuleTemplates
}

const slackTimeout = 15 * time.Second

var _ handlers.Sink = (*Slack)(nil)

// NewSlack returns a sink that posts to webhookURL. The URL must be https, or http to a
// loopback address (a local stand-in); every sink of the process posting to the same URL
// shares its rate limit of about one message a second.
func NewSlack(name, webhookURL string, opts SlackOptions) (*Slack, error) {
	if name == "" {
		return nil, errors.New("cannot create slack sink: name missing")
	}
	u, err := url.Parse(webhookURL)
	if err != nil || u.Host == "" || u.Opaque != "" {
		// The parser's message quotes the URL: say no more than that it is not one.
		return nil, fmt.Errorf("slack webhook of sink %s is not a valid URL", name)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && slackLoopback(u.Hostname())) {
		return nil, fmt.Errorf("slack webhook of sink %s must be an https URL", name)
	}
	if opts.MaxMessages < 0 || opts.MaxMessages > 99 {
		return nil, fmt.Errorf("cannot create slack sink %s: max messages %d is not from 1 to 99", name, opts.MaxMessages)
	}
	limits := defaultSlackLimits
	if opts.MaxMessages > 0 {
		limits.messages = opts.MaxMessages
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{
			Timeout:       slackTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Slack{
		name: name, webhookURL: webhookURL, secrets: webhookSecrets(webhookURL, u),
		client: client, lane: sharedSlackLane(webhookURL), limits: limits,
		templates: opts.Templates, sent: map[int64]slackProgress{},
	}, nil
}

func slackLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// Name is the sink's name in the configuration.
func (s *Slack) Name() string { return s.name }

// Send posts the alert, in order, as one message or more. It waits for the webhook's rate
// limit (as ctx allows) and holds the webhook while it sends, so another alert's messages do
// not come between this one's.
func (s *Slack) Send(ctx context.Context, a handlers.Alert) error {
	if t, ok := s.templates[a.Rule]; ok && t.Text != nil {
		text, err := renderRuleText(t.Text, a)
		if err != nil {
			return err
		}
		a.Text = text
	}
	msgs := slackMessages(a, s.limits)
	bodies := make([][]byte, len(msgs))
	h := fnv.New64a()
	for i, m := range msgs {
		b, err := encodeSlack(m)
		if err != nil {
			return handlers.Permanent(fmt.Errorf("cannot encode alert %d for slack: %w", a.AlertID, err))
		}
		bodies[i] = b
		h.Write(b)
	}
	digest := h.Sum64()

	if err := s.lane.acquire(ctx); err != nil {
		return fmt.Errorf("cannot wait for slack webhook of sink %s: %w", s.name, err)
	}
	defer s.lane.release()
	for i := s.resume(a.AlertID, digest); i < len(bodies); i++ {
		what := "slack webhook of sink " + s.name
		if len(bodies) > 1 {
			what += fmt.Sprintf(" (message %d of %d)", i+1, len(bodies))
		}
		err := s.sendOne(ctx, bodies[i], what)
		if err != nil {
			s.remember(a.AlertID, digest, i)
			return err
		}
	}
	s.remember(a.AlertID, digest, 0)
	return nil
}

// sendOne posts one message when the webhook's rate limit allows it. After a 429 it does not
// post until Slack's Retry-After has passed, for any sink on the webhook: it says when to
// come back instead.
func (s *Slack) sendOne(ctx context.Context, body []byte, what string) error {
	if d := s.lane.paused(); d > 0 {
		return &slackRateLimited{msg: fmt.Sprintf("%s is rate limited: Slack asked for a pause, retry after %s", what, d.Round(100*time.Millisecond)), after: d}
	}
	if err := s.lane.bucket.Wait(ctx); err != nil {
		return fmt.Errorf("cannot wait for %s: %w", what, err)
	}
	ans, err := s.post(ctx, body, what)
	if err != nil {
		return err
	}
	return s.check(ans, what)
}

// SendTest posts a short test message and returns Slack's answer, status and body ("200 OK:
// ok"), with the error Send would give for it. The answer is empty when Slack was not reached.
func (s *Slack) SendTest(ctx context.Context) (answer string, err error) {
	body, err := encodeSlack(slackTestMessage(s.name, time.Now()))
	if err != nil {
		return "", fmt.Errorf("cannot encode test message for slack: %w", err)
	}
	what := "slack webhook of sink " + s.name
	if err := s.lane.acquire(ctx); err != nil {
		return "", fmt.Errorf("cannot wait for %s: %w", what, err)
	}
	defer s.lane.release()
	// A test goes out even while the webhook is paused: someone is watching for the answer.
	if err := s.lane.bucket.Wait(ctx); err != nil {
		return "", fmt.Errorf("cannot wait for %s: %w", what, err)
	}
	ans, err := s.post(ctx, body, what)
	if err != nil {
		return "", err
	}
	answer = ans.status
	if ans.body != "" {
		answer += ": " + ans.body
	}
	return answer, s.check(ans, what)
}

// encodeSlack renders a message as JSON, leaving <, > and & as they are (Go escapes them
// by default, which is valid JSON but hard to read in a capture).
func encodeSlack(m slackMessage) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// resume returns how many messages of the alert went out before its last error.
func (s *Slack) resume(alertID int64, digest uint64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.sent[alertID]; ok && p.digest == digest {
		return p.sent
	}
	return 0
}

// remember notes that sent messages of the alert went out; 0 forgets it.
func (s *Slack) remember(alertID int64, digest uint64, sent int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sent == 0 {
		delete(s.sent, alertID)
		return
	}
	if len(s.sent) >= 1000 { // alerts that were never retried here; forgetting one costs a repeat
		clear(s.sent)
	}
	s.sent[alertID] = slackProgress{digest: digest, sent: sent}
}
