package streams

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/vmihailenco/msgpack"
)

// Marshaller turns a message into a stream entry's fields. It is watermill-redisstream's
// interface, so entries written here and there read the same.
type Marshaller = redisstream.Marshaller

// Unmarshaller turns a stream entry's fields back into a message.
type Unmarshaller = redisstream.Unmarshaller

// UUIDField is the entry field holding the message's UUID.
const UUIDField = redisstream.UUIDHeaderKey

// DefaultMarshaller writes and reads watermill-redisstream's wire format
// (_watermill_message_uuid, msgpack metadata, payload), so entries written by `replay`,
// `ingest`, the benchmarks, watermill-redisstream or an older groupwatch read the same.
//
// It encodes and decodes the metadata, a msgpack map of strings, itself: the msgpack package
// decodes it by reflection, which was a tenth of a stream hop's CPU (issue 12). An encoding it
// does not expect (bin strings, nil, trailing bytes, anything truncated) goes to the msgpack
// package, so every entry reads exactly as watermill-redisstream reads it; marshal_test.go holds
// the two to that.
type DefaultMarshaller struct{}

var _ redisstream.MarshallerUnmarshaller = DefaultMarshaller{}

// Marshal makes the entry's fields for msg.
func (DefaultMarshaller) Marshal(_ string, msg *message.Message) (map[string]any, error) {
	if msg.Metadata.Get(UUIDField) != "" {
		return nil, fmt.Errorf("metadata %s is reserved by watermill for message UUID", UUIDField)
	}
	var md []byte
	if len(msg.Metadata) > 0 {
		md = appendMetadata(make([]byte, 0, metadataSize(msg.Metadata)), msg.Metadata)
	}
	return map[string]any{
		UUIDField:  msg.UUID,
		"metadata": md,
		"payload":  []byte(msg.Payload),
	}, nil
}

// Unmarshal reads an entry's fields as a message. A field of the wrong type is an error
// (watermill-redisstream panics on it).
func (DefaultMarshaller) Unmarshal(values map[string]any) (*message.Message, error) {
	uuid, ok := values[UUIDField].(string)
	if !ok {
		if values[UUIDField] == nil {
			return nil, fmt.Errorf("%s key is missing as part of the message", UUIDField)
		}
		return nil, fmt.Errorf("%s is a %T, not a string", UUIDField, values[UUIDField])
	}
	var payload string
	switch p := values["payload"].(type) {
	case nil:
	case string:
		payload = p
	default:
		return nil, fmt.Errorf("payload is a %T, not a string", p)
	}
	msg := message.NewMessage(uuid, []byte(payload))
	switch md := values["metadata"].(type) {
	case nil:
	case string:
		if md == "" {
			break
		}
		metadata, err := decodeMetadata(md)
		if err != nil {
			return nil, fmt.Errorf("unmarshal metadata fail: %w", err)
		}
		msg.Metadata = metadata
	default:
		return nil, fmt.Errorf("metadata is a %T, not a string", md)
	}
	return msg, nil
}

// msgpack format bytes used for a map of strings.
const (
	mpFixMap = 0x80 // 0x80-0x8f: map of up to 15 pairs
	mpMap16  = 0xde
	mpMap32  = 0xdf
	mpFixStr = 0xa0 // 0xa0-0xbf: string of up to 31 bytes
	mpStr8   = 0xd9
	mpStr16  = 0xda
	mpStr32  = 0xdb
)

func metadataSize(md message.Metadata) int {
	n := 5
	for k, v := range md {
		n += 5 + len(k) + 5 + len(v)
	}
	return n
}

func appendMetadata(b []byte, md message.Metadata) []byte {
	switch n := len(md); {
	case n < 16:
		b = append(b, mpFixMap|byte(n))
	case n < 1<<16:
		b = binary.BigEndian.AppendUint16(append(b, mpMap16), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, mpMap32), uint32(n))
	}
	for k, v := range md {
		b = appendString(appendString(b, k), v)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	switch n := len(s); {
	case n < 32:
		b = append(b, mpFixStr|byte(n))
	case n < 1<<8:
		b = append(b, mpStr8, byte(n))
	case n < 1<<16:
		b = binary.BigEndian.AppendUint16(append(b, mpStr16), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, mpStr32), uint32(n))
	}
	return append(b, s...)
}

// errUnexpected sends an encoding the fast path does not read to the msgpack package.
var errUnexpected = errors.New("not a plain msgpack map of strings")

func decodeMetadata(s string) (message.Metadata, error) {
	if md, err := decodeStringMap(s); err == nil {
		return md, nil
	}
	metadata := make(message.Metadata)
	if err := msgpack.Unmarshal([]byte(s), &metadata); err != nil {
		return nil, err
	}
	return metadata, nil
}

// decodeStringMap reads s when it is exactly one msgpack map of str keys and values.
func decodeStringMap(s string) (message.Metadata, error) {
	d := mpReader{s: s}
	n, err := d.mapLen()
	if err != nil {
		return nil, err
	}
	if n > len(s) { // each pair takes at least two bytes: a corrupt length
		return nil, errUnexpected
	}
	md := make(message.Metadata, n)
	for range n {
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		v, err := d.str()
		if err != nil {
			return nil, err
		}
		md[k] = v
	}
	if d.off != len(s) {
		return nil, errUnexpected
	}
	return md, nil
}

type mpReader struct {
	s   string
	off int
}

func (d *mpReader) uint(size int) (int, bool) {
	if d.off+size > len(d.s) {
		return 0, false
	}
	var n uint64
	for _, c := range []byte(d.s[d.off : d.off+size]) {
		n = n<<8 | uint64(c)
	}
	d.off += size
	return int(n), true
}

func (d *mpReader) mapLen() (int, error) {
	return d.length(0xf0, mpFixMap, 0, mpMap16, mpMap32)
}

func (d *mpReader) str() (string, error) {
	n, err := d.length(0xe0, mpFixStr, mpStr8, mpStr16, mpStr32)
	if err != nil || n > len(d.s)-d.off {
		return "", errUnexpected
	}
	v := d.s[d.off : d.off+n]
	d.off += n
	return v, nil
}

// length reads a msgpack header of one family (map or str): a fix form, whose format byte
// masked by fixMask is fix and holds the length in its other bits, or a format byte followed
// by a length of 1, 2 or 4 bytes (b8 0: the family has no 1-byte form).
func (d *mpReader) length(fixMask, fix, b8, b16, b32 byte) (int, error) {
	if d.off >= len(d.s) {
		return 0, errUnexpected
	}
	c := d.s[d.off]
	d.off++
	n, ok := 0, true
	switch {
	case c&fixMask == fix:
		n = int(c &^ fixMask)
	case b8 != 0 && c == b8:
		n, ok = d.uint(1)
	case c == b16:
		n, ok = d.uint(2)
	case c == b32:
		n, ok = d.uint(4)
	default:
		return 0, errUnexpected
	}
	if !ok {
		return 0, errUnexpected
	}
	return n, nil
}

func unmarshal(u Unmarshaller, values map[string]any) (msg *message.Message, err error) {
	defer func() {
		// The stock unmarshaller type-asserts field values: a foreign entry must not panic.
		if r := recover(); r != nil {
			msg, err = nil, errUnreadable
		}
	}()
	return u.Unmarshal(values)
}
