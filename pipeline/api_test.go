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
		if token != "" {
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
			if strings.Contains(raw, "s3cret") {
				t.Fatal("the token appears in a response")
			}
		})
	}
}
