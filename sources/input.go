package sources

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrNotHTML is returned for a body that no parser can read: empty, compressed or binary.
var ErrNotHTML = errors.New("not an HTML page")

// checkBody rejects what is certainly not a page, so that a fetcher that forgot to
// decompress hears so rather than getting an "unexpected" page.
func checkBody(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return fmt.Errorf("%w: the body is empty", ErrNotHTML)
	}
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		return fmt.Errorf("%w: the body is gzip-compressed; decompress it first", ErrNotHTML)
	}
	head := b[:min(len(b), 4096)]
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return fmt.Errorf("%w: the body holds binary data (a NUL byte at offset %d)", ErrNotHTML, i)
	}
	return nil
}

// keptBody is the start of a body for debugging: at most MaxKeptBody bytes, cut at a
// character boundary.
func keptBody(b []byte) string {
	if len(b) <= MaxKeptBody {
		return string(b)
	}
	cut := MaxKeptBody
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut])
}
