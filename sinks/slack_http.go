package sinks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"groupwatch/handlers"
)

const (
	slackMaxAnswer     = 4 << 10 // bytes of Slack's answer we read: "ok", or an error code
	slackMaxRetryAfter = time.Hour
)

// slackAnswer is Slack's answer to one post.
type slackAnswer struct {
	code       int
	status     string // "404 Not Found"
	body       string // valid UTF-8, redacted, trimmed
	retryAfter string
}

// post sends one message. Its error is for a webhook that could not be reached; what Slack
// answered is for check to judge.
func (s *Slack) post(ctx context.Context, body []byte, what string) (slackAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.webhookURL, bytes.NewReader(body))
	if err != nil { // the URL was checked in NewSlack; its parse error would quote it
		return slackAnswer{}, fmt.Errorf("cannot make a request to %s", what)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := s.client.Do(req)
	if err != nil {
		// A *url.Error quotes the URL: keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if safe := s.redact(err.Error()); safe != err.Error() { // a proxy's error quoting it
			err = errors.New(safe)
		}
		return slackAnswer{}, &slackError{msg: fmt.Sprintf("cannot reach %s: %v", what, err), err: err}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, slackMaxAnswer))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection can be reused
	return slackAnswer{
		code: resp.StatusCode, status: s.redact(resp.Status), retryAfter: resp.Header.Get("Retry-After"),
		body: s.redact(strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))),
	}, nil
}

// check judges Slack's answer: 2xx delivered; 429 pauses the webhook (the caller holds its
// turn) and says to retry after Retry-After; 5xx and 408 are transient; any other answer (400
// invalid_payload, 403 action_prohibited, 404 no_service, 410 channel_is_archived, a redirect)
// will not change on retry and is permanent.
func (s *Slack) check(ans slackAnswer, what string) error {
	// The body goes into the delivery's last error, on one line: an HTML error page is cut.
	said := strings.Join(strings.Fields(ans.body), " ")
	if said != "" {
		said = ": " + slackTruncatePlain(said, 200)
	}
	switch c := ans.code; {
	case c >= 200 && c <= 299:
		return nil
	case c == http.StatusTooManyRequests:
		after := parseRetryAfter(ans.retryAfter)
		s.lane.pause(after)
		return &slackRateLimited{msg: fmt.Sprintf("%s is rate limited: %s, retry after %s%s", what, ans.status, after, said), after: after}
	case c >= 500 || c == http.StatusRequestTimeout:
		return &slackError{msg: fmt.Sprintf("%s failed: %s%s", what, ans.status, said)}
	case c >= 300 && c <= 399:
		return handlers.Permanent(&slackError{msg: fmt.Sprintf("%s answered %s: a webhook does not redirect, check its URL", what, ans.status)})
	default:
		return handlers.Permanent(&slackError{msg: fmt.Sprintf("%s rejected the message: %s%s", what, ans.status, said)})
	}
}

// parseRetryAfter reads Retry-After in seconds, as Slack sends it; 1s when it is missing or
// not a positive number, an hour at most.
func parseRetryAfter(v string) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return time.Second
	}
	if n > int64(slackMaxRetryAfter/time.Second) {
		return slackMaxRetryAfter
	}
	return time.Duration(n) * time.Second
}

// slackError is a Slack error whose message has been made safe to log.
type slackError struct {
	msg string
	err error // what went wrong underneath, for errors.Is (context.DeadlineExceeded)
}

func (e *slackError) Error() string { return e.msg }
func (e *slackError) Unwrap() error { return e.err }

// slackRateLimited is a 429: retry after the time Slack asked for.
type slackRateLimited struct {
	msg   string
	after time.Duration
}

func (e *slackRateLimited) Error() string             { return e.msg }
func (e *slackRateLimited) RetryAfter() time.Duration { return e.after }

var _ handlers.RetryAfter = (*slackRateLimited)(nil)

// webhookSecrets lists what gives the webhook away, longest first: the URL, its path and
// query, and any long segment of the path (Slack's token is the last one).
func webhookSecrets(raw string, u *url.URL) []string {
	secrets := []string{raw, u.String(), u.EscapedPath(), u.Path, u.RawQuery}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) > 8 {
			secrets = append(secrets, seg)
		}
	}
	out := secrets[:0]
	for _, s := range secrets {
		if len(s) > 1 {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// redact hides the webhook in text that may echo it, such as a proxy's error page.
func (s *Slack) redact(text string) string {
	for _, secret := range s.secrets {
		text = strings.ReplaceAll(text, secret, "[webhook]")
	}
	return text
}
