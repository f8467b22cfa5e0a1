package sinks

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"groupwatch/handlers"
)

func testAlert(id int64) handlers.Alert {
	posted := time.Date(2026, 11, 20, 1, 15, 0, 0, time.UTC)
	return handlers.Alert{
		V: handlers.Version, AlertID: id, DedupKey: "k", Rule: "iphone-deals", Source: "fb:g",
		ExternalID: "1001", Author: "陳大文", Text: "出售 二手 iPhone 15", Terms: []string{"iphone 15", "二手"},
		PostedAt: &posted, CreatedAt: time.Date(2026, 11, 27, 2, 0, 0, 0, time.FixedZone("HKT", 8*3600)),
	}
}

func TestFileAppendsOneLinePerAlert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.jsonl")
	f := NewFile("out", path)
	defer f.Close()
	var wg sync.WaitGroup
	for i := 1; i <= 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.Send(context.Background(), testAlert(int64(i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 50 {
		t.Fatalf("%d lines, want 50", len(lines))
	}
	var l map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &l); err != nil {
		t.Fatalf("not JSON: %q", lines[0])
	}
	for _, k := range []string{"rule", "source", "external_id", "text", "terms", "alert_id", "created_at"} {
		if _, ok := l[k]; !ok {
			t.Errorf("line lacks %q: %s", k, lines[0])
		}
	}
	if l["created_at"] != "2026-11-26T18:00:00Z" {
		t.Errorf("created_at must be UTC RFC 3339, got %v", l["created_at"])
	}
}

func TestFileErrorNamesThePath(t *testing.T) {
	f := NewFile("out", filepath.Join(t.TempDir(), "no", "such", "dir", "a.jsonl"))
	err := f.Send(context.Background(), testAlert(1))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("want an error saying the file cannot be opened, got %v", err)
	}
}

func TestConsoleWritesTheSameLine(t *testing.T) {
	var buf bytes.Buffer
	c := NewConsole("screen", &buf)
	if err := c.Send(context.Background(), testAlert(7)); err != nil {
		t.Fatal(err)
	}
	want, _ := encodeLine(testAlert(7))
	if buf.String() != string(want) {
		t.Fatalf("console %q, want %q", buf.String(), want)
	}
}
