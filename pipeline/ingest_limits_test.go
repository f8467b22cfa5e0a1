package pipeline_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"groupwatch/pipeline"
)

// TestIngestOversizedLineIsRejectedAndTheRestRead: a line over the 4 MiB line limit is
// rejected like any bad line, with its number and the limit, and the lines after it are
// published (it used to end the ingest and answer 503 with nothing said about it).
func TestIngestOversizedLineIsRejectedAndTheRestRead(t *testing.T) {
	good := func(id string) string { return `{"source":"api","external_id":"` + id + `","text":"acme"}` }
	huge := `{"source":"api","external_id":"big","text":"` + strings.Repeat("x", 5<<20) + `"}`
	tests := []struct {
		name, body string
		published  int
		bad        []string
	}{
		{"huge line between good ones", good("1") + "\n" + huge + "\n" + good("2") + "\n", 2, []string{"line 2: longer than 4194304 bytes"}},
		{"huge last line without newline", good("1") + "\n" + huge, 1, []string{"line 2: longer than 4194304 bytes"}},
		{"crlf lines and no final newline", good("1") + "\r\n\r\n" + good("2"), 2, nil},
		{"blank and space-only lines", "\n  \n" + good("1") + "\n\t\n", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &recordingPublisher{}
			res, err := pipeline.Ingest(context.Background(), strings.NewReader(tt.body), pub, "posts.raw", time.Now)
			if err != nil {
				t.Fatal(err)
			}
			if res.Published != tt.published || len(pub.msgs) != tt.published || len(res.Bad) != len(tt.bad) {
				t.Fatalf("published %d, bad %v", res.Published, res.Bad)
			}
			for i, want := range tt.bad {
				if !strings.HasPrefix(res.Bad[i].Error(), want) {
					t.Errorf("%q does not start with %q", res.Bad[i].Error(), want)
				}
			}
		})
	}

	// The same through the API's HTTP server: a 400-class report, not a 503.
	pub := &recordingPublisher{}
	api := &pipeline.IngestAPI{Token: "t", MaxBodyBytes: 10 << 20, Publisher: pub, Topic: "posts.raw", Logger: quietLogger(), Now: time.Now}
	srv := httptest.NewServer(api)
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(good("1")+"\n"+huge+"\n"+good("2")+"\n"))
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(pub.msgs) != 2 {
		t.Fatalf("status %d, %d published; want 200 and 2", resp.StatusCode, len(pub.msgs))
	}
}
