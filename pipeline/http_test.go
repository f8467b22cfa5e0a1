package pipeline_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

func TestHTTPEndpoints(t *testing.T) {
	env := testenv.New(t)
	cfg := testConfig(t, env, t.TempDir())
	cfg.API.Token = "t0ken"
	addrs := make(chan string, 1)
	app := pipeline.NewRunApp(cfg, pipeline.RunOptions{
		HTTPAddr: "127.0.0.1:0",
		Ingest:   "testdata/posts.jsonl",
		OnHTTP:   func(a string) { addrs <- a },
	}, quietLogger())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	base := "http://" + <-addrs

	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	// One more post through the ingest API: six posts in all, three alerts.
	req, _ := http.NewRequest("POST", base+"/api/v1/posts", strings.NewReader(`{"source":"api","external_id":"a1","text":"ACME refund!"}`))
	req.Header.Set("Authorization", "Bearer t0ken")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ingest API: %d", resp.StatusCode)
	}

	// Wait until the posts went through, then the stage counters must show them.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := get("/metrics")
		if strings.Contains(body, `groupwatch_stage_processed_total{stage="notify.file"} 3`) {
			for _, want := range []string{
				`groupwatch_stage_processed_total{stage="normalize"} 6`,
				`groupwatch_end_to_end_latency_seconds_count{stage="evaluate"}`,
				`groupwatch_stage_poisoned_total`,
				`groupwatch_watermill_handler_execution_time_seconds`,
				`groupwatch_watermill_subscriber_messages_received_total{acked="acked",handler_name="normalize.`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("/metrics lacks %s:\n%s", want, grep(body, "groupwatch_watermill_subscriber"))
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed three notified alerts:\n%s", grep(body, "groupwatch_stage"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func grep(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
