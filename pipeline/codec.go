package pipeline

import (
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	json "github.com/goccy/go-json"

	"groupwatch/crawl"
	"groupwatch/handlers"
)

// Metadata keys every message carries from first sight to the alert.
const (
	// MetaCorrelationID is the post's id (source/external_id); every log line about the
	// message carries it.
	MetaCorrelationID = middleware.CorrelationIDMetadataKey
	// MetaReceivedAt is when the post first arrived (RFC 3339, nanoseconds): the start of
	// the end-to-end latency.
	MetaReceivedAt = "received_at"
	// MetaReplay is "true" on messages re-delivered by a replay.
	MetaReplay = "replay"
	// metaForeign holds why a stream entry could not be read as a watermill message.
	metaForeign = "foreign_entry"
)

// carried are the metadata keys copied from a message to what a handler makes of it.
var carried = []string{MetaCorrelationID, MetaReceivedAt, MetaReplay}

// The stage payloads are encoded and decoded with github.com/goccy/go-json rather than
// encoding/json: the same JSON, read and written about six times faster. encoding/json spent
// about 60 µs of each post's CPU here, most of it validating the whole payload in a pass of
// its own before decoding it (docs/benchmarks.md, issue 12). codec_test.go holds the two
// libraries to the same results on every payload type.

// newMessage encodes payload as JSON in a new message that carries parent's metadata. HTML
// is not escaped: a post's raw payload stays as it was handed in, and does not grow six-fold
// ("<" as "\u003c") past the size it was accepted at.
func newMessage(payload any, parent *message.Message) (*message.Message, error) {
	b, err := json.MarshalWithOption(payload, json.DisableHTMLEscape())
	if err != nil {
		return nil, handlers.Permanent(fmt.Errorf("cannot encode a %s message: %w", payloadName(payload), err))
	}
	msg := message.NewMessage(watermill.NewUUID(), b)
	if parent != nil {
		for _, k := range carried {
			if v := parent.Metadata.Get(k); v != "" {
				msg.Metadata.Set(k, v)
			}
		}
	}
	return msg, nil
}

// payloadName names a payload in the user's terms, not Go's.
func payloadName(payload any) string {
	switch payload.(type) {
	case handlers.RawPost, *handlers.RawPost:
		return "post"
	case crawl.Job, *crawl.Job:
		return "crawl job"
	}
	return "pipeline"
}

// decode reads a message's JSON payload; a payload that is not JSON of the right shape is
// permanent: no retry makes it readable.
func decode(msg *message.Message, v any) error {
	if err := json.Unmarshal(msg.Payload, v); err != nil {
		return handlers.Permanent(fmt.Errorf("malformed payload: %w", err))
	}
	return nil
}

// NewRawPostMessage makes the posts.raw message for a post, with its correlation id.
func NewRawPostMessage(p handlers.RawPost) (*message.Message, error) {
	msg, err := newMessage(p, nil)
	if err != nil {
		return nil, err
	}
	msg.Metadata.Set(MetaCorrelationID, p.Source+"/"+p.ExternalID)
	msg.Metadata.Set(MetaReceivedAt, p.ReceivedAt.UTC().Format(time.RFC3339Nano))
	return msg, nil
}

// NewJobMessage makes the crawl.jobs message for a job.
func NewJobMessage(job crawl.Job) (*message.Message, error) {
	msg, err := newMessage(job, nil)
	if err != nil {
		return nil, err
	}
	msg.Metadata.Set(MetaCorrelationID, "job/"+job.ID)
	msg.Metadata.Set(MetaReceivedAt, time.Now().UTC().Format(time.RFC3339Nano))
	return msg, nil
}

// NewAlertMessage makes the alerts-topic message for an alert made outside the stages (a
// backfill's digest).
func NewAlertMessage(a handlers.Alert) (*message.Message, error) {
	msg, err := newMessage(a, nil)
	if err != nil {
		return nil, err
	}
	msg.Metadata.Set(MetaCorrelationID, "alert/"+a.Rule)
	msg.Metadata.Set(MetaReceivedAt, time.Now().UTC().Format(time.RFC3339Nano))
	return msg, nil
}
