package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/streams"
)

// PoisonQueue reads and empties the `<topic>.poison` streams: `pipeline poison` and the
// console's Poison page. Requeue sends an entry back to the topic it came from, for after the
// cause is fixed (the stages' writes are idempotent, so a message processed twice is no
// harm); Drop only removes it.
type PoisonQueue struct {
	Redis redis.UniversalClient
	// Topics are the streams whose poison streams are read, in pipeline order.
	Topics []string
}

// NewPoisonQueue reads the poison streams of every topic of the configuration: one per
// stream, so with topics.partitions one per partition, each requeued to its own partition.
func NewPoisonQueue(cfg *config.Config, rdb redis.UniversalClient) PoisonQueue {
	return PoisonQueue{Redis: rdb, Topics: TopicsOf(cfg).AllStreams()}
}

// PoisonedMessage is one entry of a poison stream.
type PoisonedMessage struct {
	PoisonTopic string            `json:"poison_topic"`
	ID          string            `json:"id"`
	At          time.Time         `json:"at"`
	Origin      string            `json:"topic"`
	Handler     string            `json:"handler,omitempty"`
	Reason      string            `json:"reason"`
	UUID        string            `json:"uuid,omitempty"`
	Foreign     string            `json:"foreign,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
	Payload     string            `json:"payload"`
}

// PoisonedTopic is one poison stream: its length and its newest entries.
type PoisonedTopic struct {
	PoisonTopic string            `json:"poison_topic"`
	Origin      string            `json:"topic"`
	Length      int64             `json:"length"`
	Entries     []PoisonedMessage `json:"entries"`
}

// ErrNoEntry says a poison stream holds no entry of that id.
var ErrNoEntry = errors.New("no such poisoned entry")

// ErrForeignEntry says an entry was not written by groupwatch: requeued, it would only be
// poisoned again.
var ErrForeignEntry = errors.New("can only be dropped")

// maxPayloadShown bounds the payload a listing carries; Show gives it whole.
const maxPayloadShown = 64 << 10

// List returns every poison stream that holds entries, each with its newest limit entries.
func (q PoisonQueue) List(ctx context.Context, limit int64) ([]PoisonedTopic, error) {
	var out []PoisonedTopic
	for _, topic := range q.Topics {
		pt := Poison(topic)
		n, err := q.Redis.XLen(ctx, pt).Result()
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", pt, err)
		}
		if n == 0 {
			continue
		}
		entries, err := q.Redis.XRevRangeN(ctx, pt, "+", "-", limit).Result()
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", pt, err)
		}
		t := PoisonedTopic{PoisonTopic: pt, Origin: topic, Length: n}
		for _, e := range entries {
			m := decodePoisoned(pt, e)
			if len(m.Payload) > maxPayloadShown {
				m.Payload = m.Payload[:maxPayloadShown]
			}
			t.Entries = append(t.Entries, m)
		}
		out = append(out, t)
	}
	return out, nil
}

// Show returns one entry of a poison stream.
func (q PoisonQueue) Show(ctx context.Context, poisonTopic, id string) (PoisonedMessage, error) {
	if _, err := q.origin(poisonTopic); err != nil {
		return PoisonedMessage{}, err
	}
	e, err := q.entry(ctx, poisonTopic, id)
	if err != nil {
		return PoisonedMessage{}, err
	}
	return decodePoisoned(poisonTopic, e), nil
}

// Requeue adds each entry to the topic it was poisoned on (its metadata without the poison
// keys, its payload as it was) and then deletes it from the poison stream; a crash between
// the two leaves it in both, and requeueing it again is harmless. It stops at the first
// entry it cannot move and returns how many it moved.
func (q PoisonQueue) Requeue(ctx context.Context, poisonTopic string, ids []string) (int, error) {
	origin, err := q.origin(poisonTopic)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		e, err := q.entry(ctx, poisonTopic, id)
		if err != nil {
			return i, err
		}
		m := decodePoisoned(poisonTopic, e)
		if m.Foreign != "" {
			return i, fmt.Errorf("entry %s of %s was not written by groupwatch (%s): it %w", id, poisonTopic, m.Foreign, ErrForeignEntry)
		}
		msg, err := streams.DefaultMarshaller{}.Unmarshal(e.Values)
		if err != nil {
			return i, fmt.Errorf("cannot read entry %s of %s: %w", id, poisonTopic, err)
		}
		for _, k := range []string{middleware.ReasonForPoisonedKey, middleware.PoisonedTopicKey, middleware.PoisonedHandlerKey} {
			delete(msg.Metadata, k)
		}
		values, err := streams.DefaultMarshaller{}.Marshal(origin, msg)
		if err != nil {
			return i, fmt.Errorf("cannot encode entry %s of %s: %w", id, poisonTopic, err)
		}
		if err := q.Redis.XAdd(ctx, &redis.XAddArgs{Stream: origin, Values: values}).Err(); err != nil {
			return i, fmt.Errorf("cannot add entry %s to %s: %w", id, origin, err)
		}
		if err := q.Redis.XDel(ctx, poisonTopic, id).Err(); err != nil {
			return i, fmt.Errorf("requeued entry %s but cannot delete it from %s: %w", id, poisonTopic, err)
		}
	}
	return len(ids), nil
}

// Drop deletes entries from a poison stream and returns how many were there.
func (q PoisonQueue) Drop(ctx context.Context, poisonTopic string, ids []string) (int, error) {
	if _, err := q.origin(poisonTopic); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	for _, id := range ids {
		if !validStreamID(id) {
			return 0, fmt.Errorf("%q is not a stream entry id: %w", id, ErrNoEntry)
		}
	}
	n, err := q.Redis.XDel(ctx, poisonTopic, ids...).Result()
	if err != nil {
		return 0, fmt.Errorf("cannot delete from %s: %w", poisonTopic, err)
	}
	return int(n), nil
}

// origin is the topic a poison stream belongs to; only the configured ones are touched.
func (q PoisonQueue) origin(poisonTopic string) (string, error) {
	for _, t := range q.Topics {
		if Poison(t) == poisonTopic {
			return t, nil
		}
	}
	return "", fmt.Errorf("%q is not a poison topic of this pipeline: %w", poisonTopic, ErrNoEntry)
}

func (q PoisonQueue) entry(ctx context.Context, poisonTopic, id string) (redis.XMessage, error) {
	if !validStreamID(id) {
		return redis.XMessage{}, fmt.Errorf("%q is not a stream entry id: %w", id, ErrNoEntry)
	}
	es, err := q.Redis.XRangeN(ctx, poisonTopic, id, id, 1).Result()
	if err != nil {
		return redis.XMessage{}, fmt.Errorf("cannot read %s: %w", poisonTopic, err)
	}
	if len(es) == 0 {
		return redis.XMessage{}, fmt.Errorf("%s %s: %w", poisonTopic, id, ErrNoEntry)
	}
	return es[0], nil
}

// validStreamID accepts "ms-seq" ids only.
func validStreamID(id string) bool {
	dash := false
	for i, r := range id {
		switch {
		case r >= '0' && r <= '9':
		case r == '-' && !dash && i > 0 && i < len(id)-1:
			dash = true
		default:
			return false
		}
	}
	return dash
}

func decodePoisoned(poisonTopic string, e redis.XMessage) PoisonedMessage {
	m := PoisonedMessage{PoisonTopic: poisonTopic, ID: e.ID, Metadata: map[string]string{}}
	if t := idTime(e.ID); t != nil {
		m.At = *t
	}
	msg, err := tolerantUnmarshaller{}.Unmarshal(e.Values)
	if err != nil || msg == nil {
		m.Reason = "unreadable entry"
		return m
	}
	m.UUID, m.Payload = msg.UUID, string(msg.Payload)
	for k, v := range msg.Metadata {
		switch k {
		case middleware.ReasonForPoisonedKey:
			m.Reason = v
		case middleware.PoisonedTopicKey:
			m.Origin = v
		case middleware.PoisonedHandlerKey:
			m.Handler = v
		case metaForeign:
			m.Foreign = v
		default:
			m.Metadata[k] = v
		}
	}
	return m
}
