package pipeline

import (
	"bytes"
	stdjson "encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/handlers"
)

// The stages read and write their payloads with goccy/go-json (codec.go) for speed, while
// everything else that reads them (replay, the poison queue, a user's own consumer) may use
// encoding/json. These tests hold the two to the same results: what one accepts the other
// accepts, to the same value, and what the stages write encoding/json reads back unchanged.

// codecSeeds are payloads with the inputs this project meets every day (Chinese and full-width
// text, emoji, HTML, escapes) and the hostile ones a foreign producer could write.
func codecSeeds() [][]byte {
	posted := time.Date(2026, 11, 29, 8, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	raw := func(v any) stdjson.RawMessage { b, _ := stdjson.Marshal(v); return b }
	posts := []handlers.RawPost{
		{V: 1, Source: "fb", ExternalID: "1", Text: "二手 iPhone 出售，價格＄3000！😀", ReceivedAt: posted},
		{V: 1, Source: "forum", ExternalID: "x/2", Author: "Bob <b@x>", Text: "a < b && c > d \u2028 \u2029 \t\n\"q\" \\", URL: "https://e.com/?a=1&b=2", PostedAt: &posted,
			Raw: raw(map[string]any{"text": "<html>", "n": 1.5, "nested": []any{nil, true, "出售"}}), ReceivedAt: posted.UTC()},
		{V: 1, Source: "s", ExternalID: "e", Text: strings.Repeat("ｆｕｌｌ－ｗｉｄｔｈ　", 200), ReceivedAt: time.Unix(0, 0)},
	}
	var seeds [][]byte
	for _, p := range posts {
		b, _ := stdjson.Marshal(p)
		seeds = append(seeds, b)
	}
	seeds = append(seeds,
		[]byte(`{"v":1,"source":"s","external_id":"e","text":"bad \xff utf-8","received_at":"2026-11-29T00:00:00Z"}`),
		[]byte(`{"V":1,"SOURCE":"case","External_ID":"keys","text":"","received_at":"2026-11-29T00:00:00Z","unknown":{"a":[1,2]}}`),
		[]byte(`{"v":1,"source":"dup","source":"last wins","text":"\ud83d\ude00 \ud800 lone","received_at":"2026-11-29T00:00:00Z"}`),
		[]byte(`{"v":1,"source":"s","raw":{"a":1,},"received_at":"2026-11-29T00:00:00Z"}`),
		[]byte(`{"v":"1","source":"s"}`),
		[]byte(`{"v":1.5}`),
		[]byte(`{"v":1,"posted_at":null,"raw":null,"received_at":"2026-11-29T00:00:00Z"}`),
		[]byte(`{"v":1,"received_at":"yesterday"}`),
		[]byte(`{"v":1} trailing`),
		[]byte(`[1,2,3]`),
		[]byte(`null`),
		[]byte(``),
		[]byte(`{"v":1,"text":"\u0000\u001f\u007f"}`),
		[]byte(`{"v":1e2,"post_id":9007199254740993}`),
	)
	return seeds
}

// sameDecode decodes data as T with both libraries and fails unless they agree.
func sameDecode[T any](t *testing.T, data []byte) {
	t.Helper()
	var want, got T
	wantErr := stdjson.Unmarshal(data, &want)
	gotErr := decode(message.NewMessage("m", data), &got)
	switch {
	case wantErr != nil && gotErr == nil:
		t.Errorf("%T: encoding/json refuses %q (%v), the stages' codec takes it as %+v", want, data, wantErr, got)
	case wantErr == nil && gotErr != nil:
		t.Errorf("%T: the stages' codec refuses %q (%v), encoding/json takes it", want, data, gotErr)
	case wantErr == nil && !reflect.DeepEqual(want, got):
		t.Errorf("%T: %q decodes differently:\nencoding/json %+v\nstages' codec %+v", want, data, want, got)
	}
}

// sameEncode encodes v with the stages' codec and fails unless encoding/json reads back what
// it reads from its own encoding of v.
func sameEncode[T any](t *testing.T, v T) {
	t.Helper()
	msg, err := newMessage(v, nil)
	if err != nil {
		t.Fatalf("cannot encode %+v: %v", v, err)
	}
	var buf bytes.Buffer
	enc := stdjson.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json cannot encode %+v: %v", v, err)
	}
	var want, got T
	if err := stdjson.Unmarshal(buf.Bytes(), &want); err != nil {
		t.Fatal(err)
	}
	if err := stdjson.Unmarshal(msg.Payload, &got); err != nil {
		t.Fatalf("encoding/json cannot read the stages' encoding %q: %v", msg.Payload, err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%T reads back differently:\nencoding/json %q\nstages' codec %q", v, buf.Bytes(), msg.Payload)
	}
}

func TestCodecAgreesWithEncodingJSON(t *testing.T) {
	for _, data := range codecSeeds() {
		sameDecode[handlers.RawPost](t, data)
		sameDecode[handlers.NormalizedPost](t, data)
		sameDecode[handlers.MatchedPost](t, data)
		sameDecode[handlers.Alert](t, data)
		sameDecode[handlers.HealthEvent](t, data)
		sameDecode[crawl.Job](t, data)

		var p handlers.RawPost
		if stdjson.Unmarshal(data, &p) == nil {
			sameEncode(t, p)
			sameEncode(t, handlers.NormalizedPost{V: 1, PostID: 7, Outcome: handlers.OutcomeNew, Source: p.Source, ExternalID: p.ExternalID,
				Author: p.Author, URL: p.URL, Text: p.Text, Normalized: strings.ToLower(p.Text), PostedAt: p.PostedAt, ReceivedAt: p.ReceivedAt})
			sameEncode(t, handlers.MatchedPost{V: 1, PostID: 7, Source: p.Source, Text: p.Text, ReceivedAt: p.ReceivedAt,
				Matches: []handlers.RuleMatch{{Rule: "r<1>", Terms: []string{p.Text, "出售"}}}})
		}
	}
}

// Every other payload a stage or command publishes reads back alike too.
func TestCodecEncodesEveryPayloadLikeEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 30, 1, 2, 3, 4, time.FixedZone("HKT", 8*3600))
	sameEncode(t, crawl.Job{V: 1, ID: crawl.JobID("fb:二手", at), Source: "fb:二手", Tick: at})
	sameEncode(t, handlers.HealthEvent{V: 1, Source: "fb:x", Account: "a", Verdict: "login_wall", State: "needs_cookies", PausedUntil: &at, Detail: "<login>", At: at})
	sameEncode(t, handlers.Alert{V: 1, AlertID: 9, DedupKey: "r/fb/1", Rule: "二手 & iPhone", Kind: config.RuleKind("threshold"), Sinks: []string{"slack", "mail"},
		PostID: 7, Source: "fb", ExternalID: "1", Text: "出售 <b>", Terms: []string{"出售"}, PostedAt: &at, ReceivedAt: at, CreatedAt: at.UTC(),
		GroupKey: "fb:x", Summary: "12 matches", Trend: []handlers.TrendPoint{{At: at, Count: 3}, {}}})
	sameEncode(t, handlers.Alert{})
}

// The HTML in a post is written as it came, not as \u003c: a payload does not grow past the
// size it was accepted at.
func TestCodecDoesNotEscapeHTML(t *testing.T) {
	msg, err := newMessage(handlers.RawPost{V: 1, Text: "<b>&</b>"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(msg.Payload, []byte(`"<b>&</b>"`)) {
		t.Errorf("payload %s escapes HTML", msg.Payload)
	}
}

func FuzzCodec(f *testing.F) {
	for _, s := range codecSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode[handlers.RawPost](t, data)
		sameDecode[handlers.NormalizedPost](t, data)
		var p handlers.RawPost
		if stdjson.Unmarshal(data, &p) == nil {
			sameEncode(t, p)
		}
	})
}
