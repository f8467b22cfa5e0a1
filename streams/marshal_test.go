package streams

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/vmihailenco/msgpack"
)

// DefaultMarshaller reads and writes its metadata by hand; these tests hold it to
// watermill-redisstream's DefaultMarshallerUnmarshaller, which entries written by older
// versions, replays and other tools come from.

func metadataCases() []message.Metadata {
	return []message.Metadata{
		nil,
		{"correlation_id": "fb/123", "received_at": "2026-11-29T23:59:59.123456789Z"},
		{"": "", "replay": "true"},
		{"k": strings.Repeat("長", 11)},    // 33 bytes: str8
		{"k": strings.Repeat("x", 300)},   // str16
		{"k": strings.Repeat("y", 70000)}, // str32
		{strings.Repeat("key", 20): "\x00\xff"},
		func() message.Metadata { // 20 pairs: map16
			md := message.Metadata{}
			for i := range 20 {
				md[strings.Repeat("a", i+1)] = strings.Repeat("b", i)
			}
			return md
		}(),
	}
}

func TestMarshallerWritesWhatWatermillReads(t *testing.T) {
	for _, md := range metadataCases() {
		msg := message.NewMessage("uuid-1", []byte(`{"v":1,"text":"出售"}`))
		if md != nil {
			msg.Metadata = md
		}
		values, err := DefaultMarshaller{}.Marshal("topic", msg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := redisstream.DefaultMarshallerUnmarshaller{}.Unmarshal(asRead(values))
		if err != nil {
			t.Fatalf("watermill cannot read %v: %v", values, err)
		}
		if !got.Equals(msg) {
			t.Errorf("watermill reads %v as %v, %q; want %v", values, got.Metadata, got.Payload, msg.Metadata)
		}
	}
}

func TestMarshallerReadsWhatWatermillWrites(t *testing.T) {
	for _, md := range metadataCases() {
		msg := message.NewMessage("uuid-2", []byte("payload"))
		if md != nil {
			msg.Metadata = md
		}
		values, err := redisstream.DefaultMarshallerUnmarshaller{}.Marshal("topic", msg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DefaultMarshaller{}.Unmarshal(asRead(values))
		if err != nil {
			t.Fatalf("cannot read watermill's %v: %v", values, err)
		}
		if !got.Equals(msg) {
			t.Errorf("reads watermill's %v as %v; want %v", values, got.Metadata, msg.Metadata)
		}
	}
}

func TestMarshallerRefusesReservedMetadata(t *testing.T) {
	msg := message.NewMessage("u", nil)
	msg.Metadata.Set(UUIDField, "x")
	if _, err := (DefaultMarshaller{}).Marshal("t", msg); err == nil {
		t.Error("metadata holding the uuid field was written")
	}
}

func TestUnmarshalNamesAFieldOfTheWrongType(t *testing.T) {
	for _, values := range []map[string]any{
		{},
		{UUIDField: 7},
		{UUIDField: "u", "payload": 3.5},
		{UUIDField: "u", "metadata": []string{"x"}},
		{UUIDField: "u", "metadata": "\xc1"},
	} {
		if msg, err := (DefaultMarshaller{}).Unmarshal(values); err == nil {
			t.Errorf("%v read as %+v", values, msg)
		}
	}
}

// asRead is values as go-redis hands them back from XREADGROUP: every field a string.
func asRead(values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		switch v := v.(type) {
		case []byte:
			out[k] = string(v)
		default:
			out[k] = v
		}
	}
	return out
}

// FuzzMetadata feeds arbitrary metadata fields to both unmarshallers: they must agree on
// whether it reads and on what it reads as.
func FuzzMetadata(f *testing.F) {
	for _, md := range metadataCases() {
		b, _ := msgpack.Marshal(md)
		f.Add(string(b))
	}
	f.Add("\xc0")
	f.Add("\x81\xc4\x01k\xa1v") // a bin key
	f.Add("\x81\xa1k\xa1vtrailing")
	f.Add("\xdf\xff\xff\xff\xff")
	f.Fuzz(func(t *testing.T, md string) {
		values := map[string]any{UUIDField: "u", "payload": "p", "metadata": md}
		want, wantErr := watermillUnmarshal(values)
		got, gotErr := DefaultMarshaller{}.Unmarshal(values)
		switch {
		case (wantErr == nil) != (gotErr == nil):
			t.Fatalf("metadata %q: watermill says %v, DefaultMarshaller %v", md, wantErr, gotErr)
		case wantErr == nil && !(reflect.DeepEqual(want.Metadata, got.Metadata) || len(want.Metadata) == 0 && len(got.Metadata) == 0):
			t.Fatalf("metadata %q: watermill reads %v, DefaultMarshaller %v", md, want.Metadata, got.Metadata)
		}
	})
}

// watermillUnmarshal is the stock unmarshaller, whose panics count as errors.
func watermillUnmarshal(values map[string]any) (msg *message.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, errUnreadable
		}
	}()
	return redisstream.DefaultMarshallerUnmarshaller{}.Unmarshal(values)
}
