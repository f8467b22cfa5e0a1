package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCommandsWireNothing: the commands parse flags and call package pipeline, the one
// composition root; they open no store, Redis client or publisher of their own (a second
// wiring is how `pipeline ingest` once published without topics.max_len).
func TestCommandsWireNothing(t *testing.T) {
	forbidden := []string{
		"groupwatch/store",
		"groupwatch/queries",
		"github.com/redis/go-redis/v9",
		"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream",
		"database/sql",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if path == bad {
					t.Errorf("%s imports %s: move that wiring into package pipeline and call it", name, path)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no command files found")
	}
}
