package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/handlers"
)

// failingState is a crawl.State whose lookup of stored posts fails for good (as MySQL's
// 1390 did), and which records how runs end.
type failingState struct {
	finished map[string]crawl.Result
}

func (s *failingState) StartRun(context.Context, crawl.Job, time.Duration) (crawl.Progress, crawl.Claim, error) {
	return crawl.Progress{}, crawl.ClaimOK, nil
}
func (s *failingState) SaveProgress(context.Context, string, crawl.Progress, time.Duration) error {
	return nil
}
func (s *failingState) FinishRun(_ context.Context, id string, r crawl.Result) error {
	s.finished[id] = r
	return nil
}
func (s *failingState) Source(context.Context, string) (crawl.SourceState, error) {
	return crawl.SourceState{State: crawl.StateOK}, nil
}
func (s *failingState) PauseAccount(context.Context, string, time.Time) error         { return nil }
func (s *failingState) SetSourceState(context.Context, string, string) error          { return nil }
func (s *failingState) RecordCrawl(context.Context, string, string, *time.Time) error { return nil }
func (s *failingState) Seen(context.Context, string, []string) (map[string]bool, error) {
	return nil, handlers.Permanent(errors.New("rejected by MySQL: Error 1390: Prepared statement contains too many placeholders"))
}

// A crawl that fails for good is poisoned with its run closed and the reason kept, not left
// unfinished under its lease to be refused on every retry.
func TestCrawlStageClosesARunThatFailedForGood(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "crawl", filepath.Base(r.URL.Path)+".html"))
	}))
	defer srv.Close()
	selectors, _ := filepath.Abs("testdata/crawl/selectors.yaml")
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
rules: [{name: r, query: acme, sinks: [out]}]
sinks: [{name: out, type: console}]
sources:
  - {name: forum, kind: html, url: '%s/page1', every: 1h, selectors: '%s', min_interval: 1s}
`, srv.URL, selectors)))
	if err != nil {
		t.Fatal(err)
	}
	state := &failingState{finished: map[string]crawl.Result{}}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := NewCrawlers(cfg, state, nil, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	job := crawl.Job{V: 1, ID: "forum@1", Source: "forum"}
	msg, err := NewJobMessage(job)
	if err != nil {
		t.Fatal(err)
	}
	err = crawlStage(c, logger)(msg)
	if !errors.Is(err, handlers.ErrPermanent) {
		t.Fatalf("want a permanent error (the job is poisoned), got %v", err)
	}
	if r, ok := state.finished[job.ID]; !ok || r.Verdict != "error" || r.Err == "" {
		t.Fatalf("run not closed: %+v", state.finished)
	}
}
