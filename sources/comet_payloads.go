package sources

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// relayPayload is one GraphQL result as Relay receives it: the first result of a query, or a
// `$stream$` / `$defer$` part whose data belongs at path within the first (joined to it by
// label and path). On a Comet page they are the preloaded results inside the page's
// `<script type="application/json" data-sjs>` blocks; from /api/graphql/ they come one a line.
type relayPayload struct {
	label string
	// path is where data sits within the query's first result; empty for the first.
	path []any
	data any
	// errors are the result's GraphQL errors. Beside data they are errors of single fields
	// (the real group page has some on every story); without data they are the answer.
	errors []any
}

// payloadFromResult reads a GraphQL result object; ok is false for an object that is not one.
func payloadFromResult(obj map[string]any) (relayPayload, bool) {
	_, hasData := obj["data"]
	_, hasErrors := obj["errors"]
	if !hasData && !hasErrors {
		return relayPayload{}, false
	}
	p := relayPayload{label: jsonString(obj, "label"), data: obj["data"]}
	p.path, _ = obj["path"].([]any)
	p.errors, _ = obj["errors"].([]any)
	return p, true
}

// queryDecl is a query the page declares it will run or has preloaded: a Relay preloader
// ({"preloaderID", "queryID", "variables", "queryName"}) or a relay operation module
// (__d("NameQuery_facebookRelayOperation", …, e.exports="DOC_ID" …)).
type queryDecl struct {
	name, docID string
	variables   map[string]any
}

// cometScripts is what a Comet page's data-sjs scripts hold.
type cometScripts struct {
	payloads []relayPayload
	queries  []queryDecl
	// scripts counts the data-sjs scripts, readable or not.
	scripts int
}

// readCometScripts decodes every `<script type="application/json" data-sjs>` of the page and
// collects the preloaded GraphQL results (`{"__bbox": {"result": …}}`, as
// RelayPrefetchedStreamCache receives them) and the declared queries. A script that is not
// JSON is skipped: one broken block must not lose the others.
func readCometScripts(doc *goquery.Document) cometScripts {
	var out cometScripts
	budget := maxJSONBytes
	doc.Find(`script[type="application/json"]`).Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("data-sjs"); !ok {
			return
		}
		out.scripts++
		text := s.Text()
		if len(text) > budget || !holdsPayloadOrQuery(text) {
			return
		}
		budget -= len(text)
		values, _ := decodeJSONValues([]byte(text))
		for _, v := range values {
			out.collect(v)
		}
	})
	return out
}

// holdsPayloadOrQuery: the script may hold a GraphQL result or a declared query. Half the
// JSON of a real page is module definitions and configuration holding neither, and
// decoding it was half the time of reading the page.
func holdsPayloadOrQuery(text string) bool {
	return keyHoldsObject(text, `"result"`) || strings.Contains(text, `"queryID"`)
}

// keyHoldsObject: somewhere in text the key is followed by a colon and an object, white
// space allowed between.
func keyHoldsObject(text, key string) bool {
	for {
		i := strings.Index(text, key)
		if i < 0 {
			return false
		}
		text = text[i+len(key):]
		rest := strings.TrimLeft(text, " \t\r\n")
		if strings.HasPrefix(rest, ":") && strings.HasPrefix(strings.TrimLeft(rest[1:], " \t\r\n"), "{") {
			return true
		}
	}
}

// collect walks one decoded script.
func (c *cometScripts) collect(v any) {
	w := jsonWalker{visit: func(obj map[string]any, _ []any) bool {
		if bbox, ok := obj["__bbox"].(map[string]any); ok {
			if result, ok := bbox["result"].(map[string]any); ok {
				if p, ok := payloadFromResult(result); ok {
					c.payloads = append(c.payloads, p)
					return false
				}
			}
		}
		if q, ok := preloaderDecl(obj); ok {
			c.queries = append(c.queries, q)
			return false
		}
		return true
	}}
	w.walk(v, nil)
}

// preloaderDecl reads {"queryID": "…", "queryName": "…", "variables": {…}}.
func preloaderDecl(obj map[string]any) (queryDecl, bool) {
	id, name := scalarString(obj["queryID"]), jsonString(obj, "queryName")
	vars, _ := obj["variables"].(map[string]any)
	if id == "" || name == "" || vars == nil {
		return queryDecl{}, false
	}
	return queryDecl{name: name, docID: id, variables: vars}, true
}

// graphQLAnswer is an /api/graphql/ answer split into its results.
type graphQLAnswer struct {
	payloads []relayPayload
	// broken: a line is not JSON (the answer was cut short); the lines before it are read.
	broken bool
}

// forPrefix is Facebook's guard against its JSON being run as a script.
var forPrefix = []byte("for (;;);")

// trimJSONPrefix drops leading white space, a byte-order mark and the for (;;); guard.
func trimJSONPrefix(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	b = bytes.TrimPrefix(b, forPrefix)
	return bytes.TrimLeft(b, " \t\r\n")
}

// readGraphQLAnswer reads the newline-delimited results of an /api/graphql/ answer.
func readGraphQLAnswer(body []byte) graphQLAnswer {
	values, err := decodeJSONValues(trimJSONPrefix(body))
	a := graphQLAnswer{broken: err != nil}
	for _, v := range values {
		obj, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if p, ok := payloadFromResult(obj); ok {
			a.payloads = append(a.payloads, p)
		}
	}
	return a
}

// detectFacebookMarkup tells which markup a Facebook response is in: an /api/graphql/ answer
// (JSON whose first object has data, errors, label or path; the old m.facebook.com cursor
// responses, also behind for (;;);, carry "payload" and "__ar" instead), a Comet page (its
// data in data-sjs scripts), or else the m.facebook.com markup of 2020–2021.
func detectFacebookMarkup(body []byte) string {
	rest := trimJSONPrefix(body)
	if len(rest) > 0 && rest[0] == '{' {
		var head map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(rest))
		if dec.Decode(&head) == nil {
			_, payload := head["payload"]
			_, ar := head["__ar"]
			if !payload && !ar {
				for _, k := range []string{"data", "errors", "label", "path"} {
					if _, ok := head[k]; ok {
						return MarkupGraphQL
					}
				}
			}
		}
		return MarkupMSite
	}
	head := body[:min(len(body), 4<<20)]
	if bytes.Contains(head, []byte("data-sjs")) || bytes.Contains(head, []byte(`"__bbox"`)) {
		return MarkupComet
	}
	return MarkupMSite
}

// payloadStrings are the short strings of the payloads' data and errors, lower-cased, for
// telling what a page without stories says (a block, a missing group). Bounded.
func payloadStrings(payloads []relayPayload) string {
	var b strings.Builder
	const limit = 1 << 20
	add := func(v any) {
		if s, ok := v.(string); ok && len(s) < 600 && b.Len() < limit {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	for _, p := range payloads {
		w := jsonWalker{visit: func(obj map[string]any, _ []any) bool {
			for _, v := range obj {
				add(v)
			}
			return b.Len() < limit
		}}
		w.walk(p.data, nil)
		w.walk(map[string]any{"errors": p.errors}, nil)
	}
	return normalizePhrase(b.String())
}
