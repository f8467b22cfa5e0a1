package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

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
	if !utf8.Valid(line) {
		return handlers.RawPost{}, fmt.Errorf("not valid UTF-8 at byte %d of the line: send UTF-8 (or escape the character as \\uXXXX)", invalidUTF8At(line))
	}
	var in ingestLine
	if err := json.Unmarshal(line, &in); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return handlers.RawPost{}, fmt.Errorf("not valid JSON at byte %d: %v", syn.Offset, syn)
		case errors.As(err, &typ) && typ.Field == "":
			return handlers.RawPost{}, fmt.Errorf("not a JSON object but %s: a post is {\"source\": …, \"external_id\": …, \"text\": …}", article(typ.Value))
		case errors.As(err, &typ):
			// Every field of the format is a string.
			return handlers.RawPost{}, fmt.Errorf("%s: must be a string, not %s", typ.Field, article(typ.Value))
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

// article names a JSON value kind as a user says it: "a number", "an array".
func article(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	case "":
		return "something else"
	}
	return "a " + kind
}

// invalidUTF8At is the position (from 1) of the first byte of b that is not valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i + 1
		}
		i += size
	}
	return len(b)
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
	lines := newLineReader(r, maxLineBytes)
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
	for {
		raw, tooLong, err := lines.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if flushErr := flush(); flushErr != nil {
				return res, flushErr
			}
			return res, fmt.Errorf("cannot read input after line %d: %w", line, err)
		}
		line++
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if tooLong {
			res.Bad = append(res.Bad, LineError{Line: line, Err: fmt.Errorf("longer than %d bytes (the limit of one line)", maxLineBytes)})
			continue
		}
		b := bytes.TrimSpace(raw)
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
	return res, flush()
}
