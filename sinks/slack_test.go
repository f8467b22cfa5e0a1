package sinks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"groupwatch/handlers"
)

// slackSecretToken stands for the secret part of a webhook URL: no error may show it.
const slackSecretToken = "XoXoSeCrEtToKeN24chars99"

// fakeSlack is a Slack incoming webhook: it records what is posted and answers with the next
// answer given (the last one once they run out).
type fakeSlack struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	answers []slackFakeAnswer
}

type slackFakeAnswer struct {
	code       int
	body       string
	retryAfter string
}

func newFakeSlack(t *testing.T, answers ...slackFakeAnswer) *fakeSlack {
	f := &fakeSlack{answers: answers}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" || !json.Valid(body) {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		ans := slackFakeAnswer{code: 200, body: "ok"}
		if len(f.answers) > 0 {
			ans = f.answers[0]
			if len(f.answers) > 1 {
				f.answers = f.answers[1:]
			}
		}
		if ans.code/100 == 2 {
			f.bodies = append(f.bodies, body)
		}
		f.mu.Unlock()
		if ans.retryAfter != "" {
			w.Header().Set("Retry-After", ans.retryAfter)
		}
		w.WriteHeader(ans.code)
		io.WriteString(w, ans.body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSlack) webhookURL() string {
	return f.URL + "/services/T0123ABCD/B0456EFGH/" + slackSecretToken
}

// delivered returns the messages Slack accepted, in order.
func (f *fakeSlack) delivered(t *testing.T) []slackMessage {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []slackMessage
	for _, b := range f.bodies {
		var m slackMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// newTestSlack returns a sink on its own lane that never waits: the rate limit has its tests.
func newTestSlack(t *testing.T, name, webhookURL string, opts SlackOptions) *Slack {
	t.Helper()
	s, err := NewSlack(name, webhookURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.lane = newSlackLane(newSlackBucket(1000, 1000, time.Now, slackSleep))
	return s
}

// assertNoSlackSecret fails t if err shows the webhook.
func assertNoSlackSecret(t *testing.T, err error, webhookURL string) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error")
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if msg := e.Error(); strings.Contains(msg, slackSecretToken) || strings.Contains(msg, webhookURL) {
			t.Errorf("error shows the webhook: %s", msg)
		}
	}
}

func TestSlackSendDeliversOneMessage(t *testing.T) {
	slack := newFakeSlack(t)
	s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
	if err := s.Send(context.Background(), slackAlert("出售 二手 iPhone 15")); err != nil {
		t.Fatal(err)
	}
	msgs := slack.delivered(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if len(m.Blocks) == 0 || !strings.Contains(m.Text, "iphone-deals") || !strings.Contains(m.Text, "出售 二手 iPhone 15") {
		t.Errorf("message lacks blocks or a fallback text: %+v", m)
	}
	if slackPostText(msgs) != "出售 二手 iPhone 15" {
		t.Errorf("post text %q", slackPostText(msgs))
	}
}

func TestSlackSendErrors(t *testing.T) {
	tests := []struct {
		name       string
		answer     slackFakeAnswer
		permanent  bool
		retryAfter time.Duration // 0: the error must not say when to retry
		says       string
	}{
		{name: "429", answer: slackFakeAnswer{code: 429, body: "rate_limited", retryAfter: "1"}, retryAfter: time.Second, says: "rate limited"},
		{name: "429 later", answer: slackFakeAnswer{code: 429, retryAfter: "30"}, retryAfter: 30 * time.Second},
		{name: "429 without Retry-After", answer: slackFakeAnswer{code: 429}, retryAfter: time.Second},
		{name: "429 with a date", answer: slackFakeAnswer{code: 429, retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT"}, retryAfter: time.Second},
		{name: "429 absurd", answer: slackFakeAnswer{code: 429, retryAfter: "99999999999999"}, retryAfter: time.Hour},
		{name: "500", answer: slackFakeAnswer{code: 500, body: "internal_error"}, says: "500 Internal Server Error: internal_error"},
		{name: "503", answer: slackFakeAnswer{code: 503, body: "<html>\n<body>Service Unavailable</body></html>"}, says: "<html> <body>"},
		{name: "400 invalid_payload", answer: slackFakeAnswer{code: 400, body: "invalid_payload"}, permanent: true, says: "rejected the message: 400 Bad Request: invalid_payload"},
		{name: "403", answer: slackFakeAnswer{code: 403, body: "action_prohibited"}, permanent: true, says: "action_prohibited"},
		{name: "404 no_service", answer: slackFakeAnswer{code: 404, body: "no_service"}, permanent: true, says: "404 Not Found: no_service"},
		{name: "410 channel gone", answer: slackFakeAnswer{code: 410, body: "channel_is_archived"}, permanent: true, says: "channel_is_archived"},
		{name: "redirect", answer: slackFakeAnswer{code: 302}, permanent: true, says: "does not redirect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slack := newFakeSlack(t, tt.answer)
			s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
			err := s.Send(context.Background(), slackAlert("hello"))
			assertNoSlackSecret(t, err, slack.webhookURL())
			if got := errors.Is(err, handlers.ErrPermanent); got != tt.permanent {
				t.Errorf("permanent %v, want %v: %v", got, tt.permanent, err)
			}
			var ra handlers.RetryAfter
			if errors.As(err, &ra) != (tt.retryAfter > 0) {
				t.Fatalf("error %v: RetryAfter %v, want %v", err, errors.As(err, &ra), tt.retryAfter > 0)
			}
			if ra != nil && ra.RetryAfter() != tt.retryAfter {
				t.Errorf("RetryAfter() %v, want %v", ra.RetryAfter(), tt.retryAfter)
			}
			if !strings.Contains(err.Error(), "slack webhook of sink team") || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not name the sink or say %q", err, tt.says)
			}
		})
	}
}

func TestSlackWebhookNeverInErrors(t *testing.T) {
	t.Run("not reached", func(t *testing.T) {
		slack := newFakeSlack(t)
		slack.Close()
		s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
		err := s.Send(context.Background(), slackAlert("hello"))
		assertNoSlackSecret(t, err, slack.webhookURL())
		if errors.Is(err, handlers.ErrPermanent) || !strings.Contains(err.Error(), "cannot reach slack webhook of sink team") {
			t.Errorf("want a transient error naming the sink, got %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		defer close(release)
		webhook := slow.URL + "/services/T0/B0/" + slackSecretToken
		s := newTestSlack(t, "team", webhook, SlackOptions{Client: &http.Client{Timeout: 50 * time.Millisecond}})
		err := s.Send(context.Background(), slackAlert("hello"))
		assertNoSlackSecret(t, err, webhook)
		if errors.Is(err, handlers.ErrPermanent) {
			t.Errorf("a timeout is transient: %v", err)
		}
	})
	t.Run("echoed by a proxy", func(t *testing.T) {
		var slack *fakeSlack
		echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway for "+slack.webhookURL()+" path "+r.URL.Path, http.StatusBadGateway)
		}))
		defer echo.Close()
		slack = &fakeSlack{Server: echo}
		s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
		err := s.Send(context.Background(), slackAlert("hello"))
		assertNoSlackSecret(t, err, slack.webhookURL())
		answer, err := s.SendTest(context.Background())
		assertNoSlackSecret(t, err, slack.webhookURL())
		if strings.Contains(answer, slackSecretToken) {
			t.Errorf("answer shows the webhook: %s", answer)
		}
	})
	t.Run("bad URLs", func(t *testing.T) {
		for _, webhook := range []string{
			"https://hooks.slack.com/services/T0/B0/" + slackSecretToken + "%zz",
			"http://hooks.slack.com/services/T0/B0/" + slackSecretToken,
			"hooks.slack.com/services/T0/B0/" + slackSecretToken,
			"https://hooks.slack.com/services/\x7f" + slackSecretToken,
		} {
			_, err := NewSlack("team", webhook, SlackOptions{})
			assertNoSlackSecret(t, err, webhook)
			if !strings.Contains(err.Error(), "slack webhook of sink team") {
				t.Errorf("error %q does not name the sink", err)
			}
		}
	})
}

func TestSlackSendSplitsALongChinesePost(t *testing.T) {
	slack := newFakeSlack(t)
	s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
	text := slackLongChinese[:3*90000] // 90,000 characters
	if err := s.Send(context.Background(), slackAlert(text)); err != nil {
		t.Fatal(err)
	}
	msgs := slack.delivered(t)
	if len(msgs) < 3 {
		t.Fatalf("%d messages, want the post split", len(msgs))
	}
	checkSlackLimits(t, msgs, defaultSlackLimits)
	if slackPostText(msgs) != text {
		t.Errorf("the messages do not give the post back")
	}
}

func TestSlackRetryResumesAfterTheLastMessageSent(t *testing.T) {
	slack := newFakeSlack(t, slackFakeAnswer{code: 200, body: "ok"}, slackFakeAnswer{code: 500}, slackFakeAnswer{code: 200, body: "ok"})
	s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
	a := slackAlert(slackLongChinese[:3*90000])
	err := s.Send(context.Background(), a)
	if err == nil || !strings.Contains(err.Error(), "(message 2 of 3)") {
		t.Fatalf("want message 2 of 3 to fail, got %v", err)
	}
	if err := s.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	msgs := slack.delivered(t)
	if len(msgs) != 3 || slackPostText(msgs) != a.Text {
		t.Fatalf("%d messages delivered, want each of the 3 once", len(msgs))
	}
	if err := s.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if n := len(slack.delivered(t)); n != 6 {
		t.Errorf("a new send after success sent %d messages, want all 3 again", n-3)
	}
}

func TestSlackSendKeepsAnAlertsMessagesTogether(t *testing.T) {
	slack := newFakeSlack(t)
	lane := sharedSlackLane(slack.webhookURL())
	lane.bucket = newSlackBucket(1000, 1000, time.Now, slackSleep) // no waiting
	var wg sync.WaitGroup
	for i := range 4 {
		// Four sinks on one webhook, as when rules go to differently named sinks of one channel.
		s, err := NewSlack(fmt.Sprintf("team-%d", i), slack.webhookURL(), SlackOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s.lane != lane {
			t.Fatal("sinks of one webhook do not share its lane")
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := slackAlert(slackLongEnglish[:60000])
			a.AlertID = int64(i + 1)
			if err := s.Send(context.Background(), a); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	msgs := slack.delivered(t)
	if len(msgs) != 8 {
		t.Fatalf("%d messages, want 2 for each of 4 alerts", len(msgs))
	}
	footer := func(m slackMessage) string { return m.Blocks[len(m.Blocks)-1].Elements[0].Text }
	for i := 0; i < len(msgs); i += 2 {
		if footer(msgs[i]) != footer(msgs[i+1]) || !strings.HasSuffix(msgs[i+1].Blocks[0].Text.Text, "(2/2)") {
			t.Fatalf("messages %d and %d are not one alert's two messages", i+1, i+2)
		}
	}
}

func TestSlackSendTest(t *testing.T) {
	slack := newFakeSlack(t, slackFakeAnswer{code: 200, body: "ok"}, slackFakeAnswer{code: 404, body: "no_service"})
	s := newTestSlack(t, "team", slack.webhookURL(), SlackOptions{})
	answer, err := s.SendTest(context.Background())
	if err != nil || answer != "200 OK: ok" {
		t.Fatalf("answer %q, %v", answer, err)
	}
	if m := slack.delivered(t); len(m) != 1 || !strings.Contains(m[0].Text, "test message for sink team") {
		t.Errorf("test message %+v", m)
	}
	answer, err = s.SendTest(context.Background())
	if answer != "404 Not Found: no_service" || !errors.Is(err, handlers.ErrPermanent) {
		t.Errorf("answer %q, %v", answer, err)
	}
}

func TestNewSlack(t *testing.T) {
	for _, tt := range []struct {
		url  string
		opts SlackOptions
		ok   bool
	}{
		{url: "https://hooks.slack.com/services/T0/B0/x", ok: true},
		{url: "http://127.0.0.1:8080/hook", ok: true},
		{url: "http://[::1]:8080/hook", ok: true},
		{url: "http://localhost/hook", ok: true},
		{url: "http://hooks.slack.com/services/T0/B0/x"},
		{url: ""},
		{url: "https://hooks.slack.com/x", opts: SlackOptions{MaxMessages: 100}},
	} {
		_, err := NewSlack("team", tt.url, tt.opts)
		if (err == nil) != tt.ok {
			t.Errorf("NewSlack(%q): %v, want ok %v", tt.url, err, tt.ok)
		}
	}
	if _, err := NewSlack("", "https://hooks.slack.com/x", SlackOptions{}); err == nil {
		t.Error("a sink without a name")
	}
}
