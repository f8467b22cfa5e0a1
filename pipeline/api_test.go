package pipeline_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"groupwatch/pipeline"
)

func TestIngestAPI(t *testing.T) {
	pub := &recordingPublisher{}
	api := &pipeline.IngestAPI{Token: "s3cret", MaxBodyBytes: 1024, Publisher: pub, Topic: "posts.raw",
		Logger: quietLogger(), Now: time.Now}
	srv := httptest.NewServer(api)
	defer srv.Close()

	post := func(token, contentType, body string) (int, pipeline.IngestResponse, string) {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(body))
		if scheme, tok, ok := strings.Cut(token, " "); ok {
			req.Header.Set("Authorization", scheme+" "+tok)
		} else if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out pipeline.IngestResponse
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out, string(raw)
	}
	good := `{"source":"api","external_id":"1","text":"acme refund"}`

	tests := []struct {
		name, token, ctype, body string
		status, published        int
		errs                     []string
	}{
		{"no token", "", "application/json", good, 401, 0, nil},
		{"wrong token", "s3cres", "application/json", good, 401, 0, nil},
		{"one object", "s3cret", "application/json", good, 200, 1, nil},
		{"array with a bad post", "s3cret", "application/json",
			`[` + good + `,{"source":"api","text":"no id"},{"source":"api","external_id":"2","text":"x"}]`, 200, 2,
			[]string{"line 2: external_id: missing"}},
		{"json lines", "s3cret", "application/x-ndjson", good + "\n\n{nope\n", 200, 1, []string{"line 3: not valid JSON"}},
		{"nothing good", "s3cret", "application/x-ndjson", "{nope\n", 400, 0, []string{"line 1: not valid JSON"}},
		{"not json", "s3cret", "application/json", "{nope", 400, 0, nil},
		{"too big", "s3cret", "application/x-ndjson", strings.Repeat(good+"\n", 30), 413, 0, nil},
		{"lower-case scheme", "bearer s3cret", "application/json", good, 200, 1, nil},
		{"upper-case scheme", "BEARER s3cret", "application/json", good, 200, 1, nil},
		{"another scheme", "Basic s3cret", "application/json", good, 401, 0, nil},
		{"invalid utf-8 is refused, never published", "s3cret", "application/x-ndjson",
			"{\"source\":\"api\",\"external_id\":\"9\",\"text\":\"bad \xff\xfe acme\"}\n" + good, 200, 1,
			[]string{"line 1: not valid UTF-8 at byte 47 of the line"}},
		{"invalid utf-8 alone is a 400", "s3cret", "application/json",
			"{\"source\":\"api\",\"external_id\":\"9\",\"text\":\"bad \xff\xfe acme\"}", 400, 0,
			[]string{"line 1: not valid UTF-8"}},
		{"id with a trailing space", "s3cret", "application/x-ndjson",
			`{"source":"api","external_id":"42 ","text":"x"}` + "\n" + good, 200, 1,
			[]string{`line 1: external_id: "42 " begins or ends with white space`}},
		{"a number is not a post", "s3cret", "application/x-ndjson", "42\n" + good, 200, 1,
			[]string{"line 1: not a JSON object but a number"}},
		{"a field of the wrong type", "s3cret", "application/x-ndjson", `{"source":1,"external_id":"1","text":"x"}`, 400, 0,
			[]string{"line 1: source: must be a string, not a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub.msgs = nil
			status, resp, raw := post(tt.token, tt.ctype, tt.body)
			if status != tt.status || resp.Published != tt.published || len(pub.msgs) != tt.published {
				t.Fatalf("status %d published %d (%d seen), want %d and %d: %s", status, resp.Published, len(pub.msgs), tt.status, tt.published, raw)
			}
			if len(resp.Errors) != len(tt.errs) {
				t.Fatalf("errors %+v, want %q", resp.Errors, tt.errs)
			}
			for i, want := range tt.errs {
				got := "line " + strconv.Itoa(resp.Errors[i].Line) + ": " + resp.Errors[i].Error
				if !strings.HasPrefix(got, want) {
					t.Errorf("error %q does not start with %q", got, want)
				}
			}
			if strings.Contains(raw, "s3cret") || strings.Contains(raw, "pipeline.") {
				t.Fatal("the token or a Go type name appears in a response")
			}
		})
	}
}
