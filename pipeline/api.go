package pipeline

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// IngestAPI is `POST /api/v1/posts`: posts in the ingest format, as JSON (one object or an
// array of objects) or as JSON lines, published to posts.raw like `pipeline ingest` does. A
// bearer token is required; bodies over the limit get 413; bad posts are reported one by one
// and the good ones are published.
type IngestAPI struct {
	Token        string
	MaxBodyBytes int64
	Publisher    message.Publisher
	Topic        string
	Logger       *slog.Logger
	Now          func() time.Time
}

// IngestResponse is the API's answer.
type IngestResponse struct {
	Published int           `json:"published"`
	Rejected  int           `json:"rejected"`
	Errors    []IngestError `json:"errors,omitempty"`
}

// IngestError is one rejected post: its line (JSON lines) or its index + 1 (a JSON array).
type IngestError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

func (a *IngestAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="groupwatch"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong bearer token"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{
				"error": fmt.Sprintf("body larger than %d bytes: send fewer posts per request", a.MaxBodyBytes)})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "cannot read body: " + err.Error()})
		return
	}
	lines, err := asLines(r.Header.Get("Content-Type"), body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	res, err := Ingest(r.Context(), bytes.NewReader(lines), a.Publisher, a.Topic, a.Now)
	resp := IngestResponse{Published: res.Published, Rejected: len(res.Bad)}
	for _, b := range res.Bad {
		resp.Errors = append(resp.Errors, IngestError{Line: b.Line, Error: b.Err.Error()})
	}
	if err != nil {
		a.Logger.Error("ingest API cannot publish", "error", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, resp)
		return
	}
	a.Logger.Info("ingest API", "published", resp.Published, "rejected", resp.Rejected)
	status := http.StatusOK
	if resp.Published == 0 && resp.Rejected > 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, resp)
}

// authorized compares the bearer token in constant time. The scheme's name is
// case-insensitive (RFC 9110, section 11.1): "bearer" and "BEARER" are "Bearer".
func (a *IngestAPI) authorized(r *http.Request) bool {
	scheme, got, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	got = strings.TrimLeft(got, " ")
	return ok && strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(got), []byte(a.Token)) == 1
}

// asLines turns a JSON body (an object or an array of objects) into JSON lines, so that
// everything goes through the one ingest path; any other content type is taken as JSON lines.
func asLines(contentType string, body []byte) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "application/json" {
		return body, nil
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		var one bytes.Buffer
		if err := json.Compact(&one, trimmed); err != nil {
			return nil, fmt.Errorf("body is not JSON: %v (send JSON lines as application/x-ndjson)", err)
		}
		return one.Bytes(), nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(trimmed, &items); err != nil {
		return nil, fmt.Errorf("body is not a JSON array of posts: %v", err)
	}
	var out bytes.Buffer
	for _, it := range items {
		if err := json.Compact(&out, it); err != nil {
			return nil, err // cannot happen: Unmarshal checked it
		}
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// writeJSON answers v as JSON. v is encoded before the status is sent, so a value that
// cannot be encoded is a 500, not a 200 with half a body; a failed write (the client went
// away) leaves nothing to answer to.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"cannot encode the answer"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
