package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"groupwatch/config"
	"groupwatch/internal/testenv"
	"groupwatch/pipeline"
)

// TestPublishFileTrimsToMaxLen: `pipeline ingest` publishes through the process's one
// publisher, so topics.max_len trims posts.raw as it trims every other topic (it used to
// build a publisher of its own that never trimmed). XADD MAXLEN ~ trims whole stream nodes
// (100 entries on a default Redis), so a trimmed stream of 300 keeps at most max_len plus
// one node.
func TestPublishFileTrimsToMaxLen(t *testing.T) {
	const lines = 300
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, `{"source":"api","external_id":"p%d","text":"acme"}`+"\n", i)
	}
	tests := []struct {
		name     string
		maxLen   int64
		min, max int64
	}{
		{"no max_len keeps every entry", 0, lines, lines},
		{"max_len 10 trims", 10, 10, 10 + 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testenv.New(t)
			path := filepath.Join(t.TempDir(), "posts.jsonl")
			writeFile(t, path, b.String())
			cfg := &config.Config{Redis: config.Redis{URL: env.RedisURL}, Topics: config.Topics{Prefix: env.Prefix, MaxLen: tt.maxLen}}
			ctx := context.Background()
			res, err := pipeline.PublishFile(ctx, cfg, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			if res.Published != lines || len(res.Bad) != 0 {
				t.Fatalf("published %d, %d bad; want %d, 0", res.Published, len(res.Bad), lines)
			}
			n, err := env.Redis(t).XLen(ctx, pipeline.NewTopics(env.Prefix).Raw()).Result()
			if err != nil {
				t.Fatal(err)
			}
			if n < tt.min || n > tt.max {
				t.Fatalf("posts.raw holds %d entries after %d published with max_len %d; want %d to %d", n, lines, tt.maxLen, tt.min, tt.max)
			}
		})
	}
}
