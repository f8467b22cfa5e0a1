package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limits of reading Facebook's JSON. A real group page holds about 1 MB of JSON nested some
// 60 levels deep; the limits are far above that and keep a hostile or broken page from
// costing more than a bounded amount of time and memory.
const (
	// maxJSONBytes bounds the JSON decoded from one response.
	maxJSONBytes = 64 << 20
	// maxJSONDepth bounds how deep the walker descends; deeper values are not visited.
	maxJSONDepth = 400
	// maxJSONNodes bounds how many values one walk visits.
	maxJSONNodes = 4_000_000
)

// decodeJSONValues decodes the JSON values that follow each other in b (one, or one a line
// as /api/graphql/ streams them), numbers kept as json.Number. It stops at the first broken
// value and returns what it decoded before, with the error.
func decodeJSONValues(b []byte) ([]any, error) {
	if len(b) > maxJSONBytes {
		return nil, errors.New("the JSON is larger than 64 MiB")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

// jsonWalker visits every object in a JSON value, depth first in document order, with the
// keys and indexes that lead to it, within the limits above. visit returns false to skip
// the object's children.
type jsonWalker struct {
	nodes int
	visit func(obj map[string]any, path []any) bool
}

// walk visits v, whose own path is path. Objects' keys are visited in sorted order, which is
// document order for none of them but is the same on every run.
func (w *jsonWalker) walk(v any, path []any) {
	if w.nodes >= maxJSONNodes || len(path) > maxJSONDepth {
		return
	}
	w.nodes++
	switch x := v.(type) {
	case map[string]any:
		if !w.visit(x, path) {
			return
		}
		for _, k := range sortedKeys(x) {
			w.walk(x[k], append(path, k))
		}
	case []any:
		for i, e := range x {
			w.walk(e, append(path, i))
		}
	}
}

// sortedKeys returns an object's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonPath is a compiled path into a JSON value: keys separated by dots, "[]" after a key
// for every element of the list it holds, "[0]" for its first.
type jsonPath []pathStep

type pathStep struct {
	key   string
	every bool // the key holds a list: go on from each element
	index int  // the key holds a list: go on from this element (-1: none)
}

// compilePath reads a path such as "comet_sections.metadata[].story.creation_time".
func compilePath(s string) jsonPath {
	var p jsonPath
	for _, part := range strings.Split(s, ".") {
		step := pathStep{key: part, index: -1}
		if k, rest, ok := strings.Cut(part, "["); ok {
			step.key = k
			if rest == "]" {
				step.every = true
			} else if n, err := strconv.Atoi(strings.TrimSuffix(rest, "]")); err == nil {
				step.index = n
			}
		}
		p = append(p, step)
	}
	return p
}

// compilePaths compiles a list of fallback paths.
func compilePaths(ss ...string) []jsonPath {
	out := make([]jsonPath, len(ss))
	for i, s := range ss {
		out[i] = compilePath(s)
	}
	return out
}

// find returns every value the path leads to from v, in order.
func (p jsonPath) find(v any) []any {
	if len(p) == 0 {
		return []any{v}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	next, ok := obj[p[0].key]
	if !ok || next == nil {
		return nil
	}
	switch {
	case p[0].every:
		list, _ := next.([]any)
		var out []any
		for _, e := range list {
			out = append(out, p[1:].find(e)...)
		}
		return out
	case p[0].index >= 0:
		list, _ := next.([]any)
		if p[0].index >= len(list) {
			return nil
		}
		return p[1:].find(list[p[0].index])
	}
	return p[1:].find(next)
}

// firstString is the first non-empty string (or number, as written) that one of the paths
// leads to from v.
func firstString(v any, paths []jsonPath) string {
	for _, p := range paths {
		for _, x := range p.find(v) {
			if s := scalarString(x); s != "" {
				return s
			}
		}
	}
	return ""
}

// firstCount is the first count one of the paths leads to from v: a number, or a displayed
// count such as "1.2K" or "1,2 k". ok is false when no path leads to one.
func firstCount(v any, paths []jsonPath) (n int, ok bool) {
	for _, p := range paths {
		for _, x := range p.find(v) {
			switch c := x.(type) {
			case json.Number:
				if f, err := c.Float64(); err == nil && f >= 0 {
					return int(math.Min(f, math.MaxInt32)), true
				}
			case string:
				if strings.TrimSpace(c) != "" {
					return ParseCount(c), true
				}
			}
		}
	}
	return 0, false
}

// scalarString is a string as it is, a number as written, anything else "".
func scalarString(x any) string {
	switch s := x.(type) {
	case string:
		return s
	case json.Number:
		return s.String()
	}
	return ""
}

// jsonString is obj[key] if it is a string.
func jsonString(obj map[string]any, key string) string {
	s, _ := obj[key].(string)
	return s
}

// jsonBool is obj[key] if it is true.
func jsonBool(obj map[string]any, key string) bool {
	b, _ := obj[key].(bool)
	return b
}
