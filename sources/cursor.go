package sources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// cursorPage is what a page feed's cursor response carries: HTML to insert (the next posts)
// and scripts to run (among them the next cursor).
type cursorPage struct {
	html, scripts string
	// notLoggedIn: the response is an error saying the session is not logged in.
	notLoggedIn bool
	// errorText is an error response's summary and description ("You can't use this
	// feature at the moment"); empty when the response is no error.
	errorText string
}

// decodeCursorResponse reads `for (;;);{"payload":{"actions":[…]}}`. The for(;;) prefix
// is Facebook's guard against the JSON being run as a script.
func decodeCursorResponse(b []byte) (cursorPage, error) {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	b = bytes.TrimPrefix(b, []byte("for (;;);"))
	var resp struct {
		Error        json.Number `json:"error"`
		ErrorSummary string      `json:"errorSummary"`
		ErrorDesc    string      `json:"errorDescription"`
		Payload      struct {
			Actions []struct {
				Cmd  string `json:"cmd"`
				HTML string `json:"html"`
				Code string `json:"code"`
			} `json:"actions"`
		} `json:"payload"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		return cursorPage{}, fmt.Errorf("%w: a for (;;) cursor response whose JSON is broken: %v", ErrNotHTML, err)
	}
	var c cursorPage
	if resp.Error != "" && resp.Error != "0" {
		c.notLoggedIn = strings.Contains(strings.ToLower(resp.ErrorSummary), "not logged in")
		c.errorText = resp.ErrorSummary + "\n" + resp.ErrorDesc
	}
	var h, s strings.Builder
	for _, a := range resp.Payload.Actions {
		h.WriteString(a.HTML)
		s.WriteString(a.Code)
		s.WriteByte('\n')
	}
	c.html, c.scripts = h.String(), s.String()
	return c, nil
}

// cursorResponse tells a page feed's cursor response (for (;;);{json}) from HTML.
func cursorResponse(b []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n\ufeff"), []byte("for (;;);"))
}

// unescapeJS undoes the escapes of a JavaScript string literal that JSON shares (\/ and
// \u0025, as the cursor URL is written inside a cursor response); where it cannot, it only
// unescapes slashes.
func unescapeJS(s string) string {
	var out string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &out); err == nil {
		return out
	}
	return strings.ReplaceAll(s, `\/`, "/")
}
