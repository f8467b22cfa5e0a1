package pipeline

import (
	"cmp"
	"strconv"
	"strings"
	"time"
)

// streamID is a Redis stream entry id, "ms-seq": when the entry was added, in Unix
// milliseconds, and its sequence within that millisecond. Every id this package reads goes
// through parseStreamID.
type streamID struct{ ms, seq uint64 }

// parseStreamID reads "ms-seq" or "ms" (sequence 0); ok is false when id is neither, and
// then the parts that did not parse are 0.
func parseStreamID(id string) (sid streamID, ok bool) {
	ms, seq, dash := strings.Cut(id, "-")
	m, errMS := strconv.ParseUint(ms, 10, 64)
	var s uint64
	var errSeq error
	if dash {
		s, errSeq = strconv.ParseUint(seq, 10, 64)
	}
	return streamID{ms: m, seq: s}, errMS == nil && errSeq == nil
}

// added is when the entry was added.
func (id streamID) added() time.Time { return time.UnixMilli(int64(id.ms)).UTC() }

// compareIDs orders two stream ids.
func compareIDs(a, b string) int {
	x, _ := parseStreamID(a)
	y, _ := parseStreamID(b)
	if c := cmp.Compare(x.ms, y.ms); c != 0 {
		return c
	}
	return cmp.Compare(x.seq, y.seq)
}

// compareBounds orders two replay bounds: stream ids, "-" (before every id) and "+" (after
// every id).
func compareBounds(a, b string) int {
	rank := func(id string) int {
		switch id {
		case "-":
			return -1
		case "+":
			return 1
		}
		return 0
	}
	ra, rb := rank(a), rank(b)
	if ra != 0 || rb != 0 {
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return 0
	}
	return compareIDs(a, b)
}
