package streams

import (
	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Marshaller turns a message into a stream entry's fields. It is watermill-redisstream's
// interface, so entries written here and there read the same.
type Marshaller = redisstream.Marshaller

// Unmarshaller turns a stream entry's fields back into a message.
type Unmarshaller = redisstream.Unmarshaller

// DefaultMarshaller is watermill-redisstream's wire format (_watermill_message_uuid,
// msgpack metadata, payload): entries written by `replay`, `ingest`, the benchmarks or an
// older groupwatch read the same.
type DefaultMarshaller = redisstream.DefaultMarshallerUnmarshaller

// UUIDField is the entry field holding the message's UUID.
const UUIDField = redisstream.UUIDHeaderKey

var _ Marshaller = DefaultMarshaller{}

func unmarshal(u Unmarshaller, values map[string]any) (msg *message.Message, err error) {
	defer func() {
		// The stock unmarshaller type-asserts field values: a foreign entry must not panic.
		if r := recover(); r != nil {
			msg, err = nil, errUnreadable
		}
	}()
	return u.Unmarshal(values)
}
