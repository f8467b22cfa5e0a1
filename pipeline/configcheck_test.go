package pipeline_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"groupwatch/config"
	"groupwatch/pipeline"
)

// `rules check` builds every sink and source as `run` does: what run refuses, it refuses.
func TestCheckBuildRefusesWhatRunRefuses(t *testing.T) {
	dir := t.TempDir()
	selectors := filepath.Join(dir, "sel.yaml")
	os.WriteFile(selectors, []byte("item: div.post\nid: {attr: id}\ntext: p\n"), 0o644)
	tests := []struct {
		name, sink, source, want string
	}{
		{"a good file sink", `{name: s, type: file, path: out.jsonl}`, "", ""},
		{"webhook that is not a URL", `{name: s, type: slack, webhook_url: XYZ}`, "", "sinks[0] (s)"},
		{"ftp webhook", `{name: s, type: slack, webhook_url: 'ftp://hooks.example/x'}`, "", "sinks[0] (s)"},
		{"smtp port out of range", `{name: s, type: email, host: smtp.example.com, port: 99999, from: a@example.com, to: [b@example.com], tls: none}`, "", "sinks[0] (s)"},
		{"missing selectors file", `{name: s, type: file, path: out.jsonl}`,
			`[{name: forum, kind: html, url: 'https://forum.example/', every: 1h, selectors: ` + filepath.Join(dir, "nope.yaml") + `}]`, "sources[0] (forum)"},
		{"good html source", `{name: s, type: file, path: out.jsonl}`,
			`[{name: forum, kind: html, url: 'https://forum.example/', every: 1h, selectors: ` + selectors + `}]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := ""
			if tt.source != "" {
				src = "sources: " + tt.source
			}
			cfg, err := config.Parse([]byte(fmt.Sprintf("rules:\n  - {name: r, query: acme, sinks: [s]}\nsinks:\n  - %s\n%s\n", tt.sink, src)))
			if err != nil {
				if tt.want != "" {
					t.Skipf("config validation already refuses it: %v", err)
				}
				t.Fatal(err)
			}
			err = pipeline.CheckBuild(cfg, quietLogger())
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("CheckBuild = %v, want %q", err, tt.want)
			}
		})
	}
}
