package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"groupwatch/handlers"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
	"groupwatch/queries"
	"groupwatch/store"
)

// columnStore stores posts as MySQL would by schema.sql, refusing what MySQL refuses: ids
// of more than 764 bytes (VARBINARY), more characters than author and url hold, text and
// raw payload over MEDIUMTEXT, anything not valid UTF-8 (error 1366). Keys compare byte for
// byte. A refusal is a permanent error, as store.classify makes it.
type columnStore struct {
	mu   sync.Mutex
	rows map[[2]string]handlers.PostRecord
}

func (s *columnStore) SavePost(_ context.Context, p handlers.PostRecord) (handlers.SavedPost, error) {
	const mediumText = 1<<24 - 1
	for _, c := range []struct {
		name     string
		v        string
		maxBytes int
		maxRunes int
	}{
		{"source", p.Source, 764, 0}, {"external_id", p.ExternalID, 764, 0},
		{"author", p.Author, 0, 255}, {"url", p.URL, 0, 2048},
		{"text", p.Text, mediumText, 0}, {"raw_payload", string(p.Raw), mediumText, 0},
	} {
		switch {
		case !utf8.ValidString(c.v):
			return handlers.SavedPost{}, handlers.Permanent(fmt.Errorf("Error 1366: Incorrect string value for column %s", c.name))
		case c.maxBytes > 0 && len(c.v) > c.maxBytes, c.maxRunes > 0 && utf8.RuneCountInString(c.v) > c.maxRunes:
			return handlers.SavedPost{}, handlers.Permanent(fmt.Errorf("Error 1406: Data too long for column %s", c.name))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rows == nil {
		s.rows = map[[2]string]handlers.PostRecord{}
	}
	k := [2]string{p.Source, p.ExternalID}
	_, seen := s.rows[k]
	s.rows[k] = p
	out := handlers.OutcomeNew
	if seen {
		out = handlers.OutcomeEdited
	}
	return handlers.SavedPost{ID: int64(len(s.rows)), Outcome: out}, nil
}

// countLines counts the lines Ingest must account for: those not blank once trimmed.
func countLines(data []byte) int {
	n := 0
	for _, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			n++
		}
	}
	return n
}

// checkIngestInvariant feeds data to the ingest path and then to normalize over store, and
// checks what the README promises: every line is published or reported (with its number),
// and every published post is stored by normalize with no error at all, since a transient
// error would be retried forever and a permanent one would drop a post the API accepted.
func checkIngestInvariant(t *testing.T, data []byte, store handlers.PostStore, read func(source, id string) (string, bool)) {
	t.Helper()
	pub := &recordingPublisher{}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	res, err := pipeline.Ingest(context.Background(), bytes.NewReader(data), pub, "posts.raw", func() time.Time { return now })
	if err != nil {
		t.Fatalf("ingest failed: %v", err)
	}
	if want := countLines(data); res.Published+len(res.Bad) != want || len(pub.msgs) != res.Published {
		t.Fatalf("%d lines, %d published (%d seen), %d rejected", want, res.Published, len(pub.msgs), len(res.Bad))
	}
	last := 0
	for _, b := range res.Bad {
		if b.Line <= last || b.Err == nil || b.Err.Error() == "" {
			t.Fatalf("rejections out of order or without a reason: %v", res.Bad)
		}
		last = b.Line
		if strings.Contains(b.Error(), "pipeline.") || strings.Contains(b.Error(), "handlers.") {
			t.Fatalf("rejection speaks Go: %v", b)
		}
	}
	normalize := handlers.Normalize{Store: store}
	for i, msg := range pub.msgs {
		var in handlers.RawPost
		if err := json.Unmarshal(msg.Payload, &in); err != nil {
			t.Fatalf("published message %d does not decode: %v", i, err)
		}
		if _, err := normalize.Handle(context.Background(), msg.UUID, in); err != nil {
			t.Fatalf("accepted post %q/%q is not stored: %v", in.Source, in.ExternalID, err)
		}
		if read != nil {
			if text, ok := read(in.Source, in.ExternalID); !ok || text != in.Text {
				t.Fatalf("post %q/%q reads back as %q (found %v), want %q", in.Source, in.ExternalID, text, ok, in.Text)
			}
		}
	}
}

// ingestSeeds are the fuzz corpus's starting points, and the cases the real-database test
// below runs through MariaDB.
var ingestSeeds = []string{
	`{"source":"api","external_id":"1","text":"acme refund"}`,
	"{\"source\":\"api\",\"external_id\":\"2\",\"text\":\"bad \xff\xfe acme\"}\n{\"source\":\"api\",\"external_id\":\"3\",\"text\":\"ok\"}",
	`{"source":"pad","external_id":"42 ","text":"trailing space"}` + "\n" + `{"source":"pad","external_id":"42","text":"no space"}`,
	`{"source":"pad ","external_id":"42","text":"source with a space"}`,
	`{"source":"s","external_id":"4\u00002","text":"escaped NUL in the id"}`,
	`{"source":"s","external_id":"\ud800","text":"lone surrogate escape"}`,
	`{"source":"s","external_id":"5","text":"<b>html</b> & \u2028 separators","author":"` + strings.Repeat("名", 256) + `"}`,
	`{"source":"s","external_id":"6","text":"合\n作","url":"` + strings.Repeat("u", 2049) + `"}`,
	`{"source":"s","external_id":"7","text":"x","posted_at":"yesterday"}`,
	`{"source":"s","external_id":"8","text":"x","extra":{"deep":[1,2,{"a":null}]}}` + "\r\n\r\n42\n[1]\n\"str\"\nnull",
	`{"source":"` + strings.Repeat("s", 192) + `","external_id":"9","text":"long source"}`,
	`{"source":"` + strings.Repeat("源", 191) + `","external_id":"` + strings.Repeat("號", 191) + `","text":"longest ids, 573 bytes each"}`,
	`{"source":"s","external_id":"10","text":1}`,
	`{"source":"s","external_id":"11","text":"dup"}` + "\n" + `{"source":"s","external_id":"11","text":"dup edited"}`,
}

// FuzzIngest feeds the ingest path arbitrary bytes: every line is published or reported,
// and every published post is stored without an error.
func FuzzIngest(f *testing.F) {
	for _, s := range ingestSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		store := &columnStore{}
		checkIngestInvariant(t, data, store, func(source, id string) (string, bool) {
			row, ok := store.rows[[2]string{source, id}]
			return row.Text, ok
		})
	})
}

// The fuzz seeds through MySQL itself (MariaDB when GROUPWATCH_TEST_MYSQL_DSN is set): what
// the ingest path accepts, the database stores and reads back under the same id, byte for
// byte ("42" and "42 " apart).
func TestIngestSeedsOnTheDatabase(t *testing.T) {
	env := testenv.New(t)
	opts := store.Options{}
	if env.Embedded {
		opts.Writers = 1
	}
	s := store.New(env.DB(t), opts)
	t.Cleanup(s.Close)
	read := func(source, id string) (string, bool) {
		row, err := s.Queries().GetPost(context.Background(), queries.GetPostParams{Source: source, ExternalID: id})
		return row.Text, err == nil && row.Source == source && row.ExternalID == id
	}
	for i, seed := range ingestSeeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkIngestInvariant(t, []byte(seed), s, read) })
	}
}
