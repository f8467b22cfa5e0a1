package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/handlers"
)

// maxLineBytes bounds one JSON line: a post's text may be long, but not unbounded.
const maxLineBytes = 4 << 20

// LineError is one rejected input line.
type LineError struct {
	Line int
	Err  error
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// ingestLine is the ingest format: {"source","external_id","author","text","url","posted_at"}.
// Unknown fields are kept in the raw payload.
type ingestLine struct {
	Source     *string `json:"source"`
	ExternalID *string `json:"external_id"`
	Author     string  `json:"author"`
	Text       *string `json:"text"`
	URL        string  `json:"url"`
	PostedAt   *string `json:"posted_at"`
}

// ParsePost reads one ingest line into a raw post, naming the field that is wrong.
func ParsePost(line []byte, now time.Time) (handlers.RawPost, error) {
	var in ingestLine
	if err := json.Unmarshal(line, &in); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return handlers.RawPost{}, fmt.Errorf("not valid JSON at byte %d: %v", syn.Offset, syn)
		case errors.As(err, &typ):
			return handlers.RawPost{}, fmt.Errorf("%s: must be a %s, not %s", typ.Field, typ.Type, typ.Value)
		}
		return handlers.RawPost{}, fmt.Errorf("not a JSON object: %v", err)
	}
	if in.Text == nil {
		return handlers.RawPost{}, errors.New("text: missing")
	}
	p := handlers.RawPost{
		V:          handlers.Version,
		Source:     deref(in.Source),
		ExternalID: deref(in.ExternalID),
		Author:     in.Author,
		Text:       *in.Text,
		URL:        in.URL,
		Raw:        json.RawMessage(bytes.Clone(line)),
		ReceivedAt: now.UTC(),
	}
	if in.PostedAt != nil && *in.PostedAt != "" {
		t, err := time.Parse(time.RFC3339, *in.PostedAt)
		if err != nil {
			return handlers.RawPost{}, fmt.Errorf("posted_at: %q is not RFC 3339 (like 2024-05-01T08:30:00Z)", *in.PostedAt)
		}
		t = t.UTC()
		p.PostedAt = &t
	}
	if err := p.Validate(); err != nil {
		return handlers.RawPost{}, err
	}
	return p, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// IngestResult counts what an ingest did.
type IngestResult struct {
	Published int
	Bad       []LineError
}

// Ingest reads JSON lines from r and publishes each good one to topic. A bad line is
// reported and skipped; the rest are published. Blank lines are ignored. It stops early
// only when publishing fails (Redis unreachable) or ctx ends.
func Ingest(ctx context.Context, r io.Reader, pub message.Publisher, topic string, now func() time.Time) (IngestResult, error) {
	var res IngestResult
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLineBytes)
	const batch = 100
	pending := make([]*message.Message, 0, batch)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := pub.Publish(topic, pending...); err != nil {
			return fmt.Errorf("cannot publish to %s after %d posts: %w", topic, res.Published, err)
		}
		res.Published += len(pending)
		pending = pending[:0]
		return nil
	}
	line := 0
	for sc.Scan() {
		line++
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		post, err := ParsePost(b, now())
		if err != nil {
			res.Bad = append(res.Bad, LineError{Line: line, Err: err})
			continue
		}
		msg, err := NewRawPostMessage(post)
		if err != nil {
			res.Bad = append(res.Bad, LineError{Line: line, Err: err})
			continue
		}
		pending = append(pending, msg)
		if len(pending) == batch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if flushErr := flush(); flushErr != nil {
			return res, flushErr
		}
		if errors.Is(err, bufio.ErrTooLong) {
			return res, fmt.Errorf("line %d: longer than %d bytes; stopped reading there", line+1, maxLineBytes)
		}
		return res, fmt.Errorf("cannot read input after line %d: %w", line, err)
	}
	return res, flush()
}
