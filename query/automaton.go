package query

import (
	"fmt"
	"slices"
	"strings"
)

// automaton is an Aho-Corasick automaton over bytes. The states a scan
// visits most, the shallow ones, are compiled into a dense DFA (one row of
// transitions per state, one column per byte class), so scanning costs one
// table lookup per byte whatever the number of patterns. Deeper states, of
// which there are many but which text rarely reaches, keep only their trie
// edges and failure link; that keeps memory several times smaller for large
// rule sets at almost no cost in speed.
//
// Bytes that occur in no pattern share one column and every other byte has
// its own, which keeps a row at about a hundred entries for mixed English
// and CJK patterns instead of 256.
//
// States are numbered breadth first, so the dense ones are 0..dense-1 and
// every state comes after its parent and its failure state.
type automaton struct {
	// class maps a byte to its column.
	class [256]uint32
	// stride is the number of columns, the length of one row.
	stride uint32
	// dense is the number of states that have a row in trans.
	dense uint32
	// trans holds the rows of the dense states. Entries are encoded
	// states (see encode).
	trans []uint32

	// The trie, by state: a state's children are the consecutive states
	// firstChild..firstChild+childCount-1, and label is the column of the
	// edge into a state.
	firstChild []uint32
	childCount []uint16
	label      []uint16
	// fail is the state for the longest proper suffix of a state's text
	// that is also a trie state.
	fail []uint32
	// pattern is the pattern that ends exactly at a state, or -1.
	pattern []int32
	// suffix is the nearest state along the failure links at which a
	// pattern ends, or -1: following it lists every pattern ending there.
	suffix []int32
}

// An encoded state is what transitions hold: for a dense state its row
// offset (state*stride), for a sparse one its number with sparseFlag. Either
// has matchFlag when a pattern ends at the state, itself or through a
// suffix, so the scan loop tests one mask for "anything but a plain dense
// state".
const (
	matchFlag  = 1 << 31
	sparseFlag = 1 << 30
	stateMask  = sparseFlag - 1
)

// newAutomaton builds the automaton for patterns, which must be distinct
// and non-empty; a match reports the pattern's index. At most denseBytes go
// to dense rows (but the root always has one).
func newAutomaton(patterns []string, denseBytes int) (*automaton, error) {
	a := &automaton{}
	var used [256]bool
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
	}
	a.stride = 1 // column 0 is for the bytes no pattern uses
	for b := range used {
		if used[b] {
			a.class[b] = a.stride
			a.stride++
		}
	}
	states := countTrieNodes(patterns)
	a.dense = uint32(max(1, min(states, denseBytes/4/int(a.stride))))
	if states > stateMask || uint64(a.dense)*uint64(a.stride) > stateMask {
		return nil, fmt.Errorf("cannot build automaton: %d states of %d columns do not fit", states, a.stride)
	}
	a.firstChild = make([]uint32, states)
	a.childCount = make([]uint16, states)
	a.label = make([]uint16, states)
	a.pattern = make([]int32, states)
	for i := range a.pattern {
		a.pattern[i] = -1
	}
	a.buildTrie(patterns)
	a.link()
	return a, nil
}

// countTrieNodes returns the number of trie states the patterns need, so
// tables are allocated once at their final size: in sorted order each
// pattern adds the bytes it does not share with the one before.
func countTrieNodes(patterns []string) int {
	sorted := slices.Clone(patterns)
	slices.Sort(sorted)
	n, prev := 1, ""
	for _, p := range sorted {
		common := 0
		for common < len(p) && common < len(prev) && p[common] == prev[common] {
			common++
		}
		n += len(p) - common
		prev = p
	}
	return n
}

// buildTrie numbers the trie states breadth first, one depth at a time.
// With the patterns in sorted order, those sharing a prefix are adjacent: a
// pattern gets a new state at depth d+1 unless the previous one was at the
// same state at depth d and continues with the same byte. This also makes
// each state's children consecutive, in byte order.
func (a *automaton) buildTrie(patterns []string) {
	order := make([]int, len(patterns))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return strings.Compare(patterns[i], patterns[j]) })
	at := make([]uint32, len(patterns)) // each pattern's state at depth d
	next := uint32(1)
	for d := 0; len(order) > 0; d++ {
		prevParent, prevByte, first := uint32(0), byte(0), true
		for _, i := range order {
			parent, b := at[i], patterns[i][d]
			if first || parent != prevParent || b != prevByte {
				if a.childCount[parent] == 0 {
					a.firstChild[parent] = next
				}
				a.childCount[parent]++
				a.label[next] = uint16(a.class[b])
				next++
			}
			at[i] = next - 1
			prevParent, prevByte, first = parent, b, false
			if len(patterns[i]) == d+1 {
				a.pattern[at[i]] = int32(i)
			}
		}
		order = slices.DeleteFunc(order, func(i int) bool { return len(patterns[i]) == d+1 })
	}
}

// link computes failure links and pattern suffixes and fills the dense rows.
// In state order, which is breadth first, a child's failure state is where
// its parent's failure state goes on the child's byte; a dense row is its
// failure state's row with its own children written over it. Everything a
// state needs belongs to states numbered before it.
func (a *automaton) link() {
	states := uint32(len(a.pattern))
	a.fail = make([]uint32, states)
	a.suffix = make([]int32, states)
	a.trans = make([]uint32, int(a.dense)*int(a.stride))
	for s := uint32(0); s < states; s++ {
		first, end := a.firstChild[s], a.firstChild[s]+uint32(a.childCount[s])
		for t := first; t < end; t++ {
			f := uint32(0)
			if s != 0 {
				f = a.id(a.step(a.encode(a.fail[s]), uint32(a.label[t])))
			}
			a.fail[t] = f
			switch {
			case s == 0:
				a.suffix[t] = -1
			case a.pattern[f] >= 0:
				a.suffix[t] = int32(f)
			default:
				a.suffix[t] = a.suffix[f]
			}
		}
		if s == 0 {
			a.suffix[0] = -1
		}
		if s < a.dense {
			row := a.trans[s*a.stride : (s+1)*a.stride]
			if s != 0 {
				f := a.fail[s]
				copy(row, a.trans[f*a.stride:(f+1)*a.stride])
			}
			for t := first; t < end; t++ {
				row[a.label[t]] = a.encode(t)
			}
		}
	}
}

// encode returns the encoded form of state s.
func (a *automaton) encode(s uint32) uint32 {
	v := s | sparseFlag
	if s < a.dense {
		v = s * a.stride
	}
	if a.pattern[s] >= 0 || a.suffix[s] >= 0 {
		v |= matchFlag
	}
	return v
}

// id returns the state number of an encoded state.
func (a *automaton) id(v uint32) uint32 {
	if v&sparseFlag != 0 {
		return v & stateMask
	}
	return (v & stateMask) / a.stride
}

// step returns the encoded state reached from encoded state v on a byte of
// column c. For a sparse state it looks for a child with that label and
// otherwise falls back along failure links, which reach a dense state
// (the root at worst) within a few steps.
func (a *automaton) step(v, c uint32) uint32 {
	if v&sparseFlag == 0 {
		return a.trans[v&stateMask+c]
	}
	s := v & stateMask
	for {
		first := a.firstChild[s]
		for t := first; t < first+uint32(a.childCount[s]); t++ {
			if uint32(a.label[t]) == c {
				return a.encode(t)
			}
		}
		s = a.fail[s]
		if s < a.dense {
			return a.trans[s*a.stride+c]
		}
	}
}

// scan calls report for every occurrence of every pattern in text, with
// the pattern's index and the byte offset where the occurrence ends.
func (a *automaton) scan(text string, report func(pattern int32, end int)) {
	trans, class := a.trans, &a.class
	v := uint32(0)
	for i := 0; i < len(text); i++ {
		v = trans[v+class[text[i]]]
		if v&(matchFlag|sparseFlag) == 0 {
			continue // the common case: a dense state where nothing ends
		}
		for {
			if v&matchFlag != 0 {
				v &^= matchFlag
				a.reportAt(a.id(v), i+1, report)
			}
			if v&sparseFlag == 0 || i+1 == len(text) {
				break
			}
			i++
			v = a.step(v, class[text[i]])
		}
	}
}

// reportAt reports the patterns that end at state s, at byte offset end.
func (a *automaton) reportAt(s uint32, end int, report func(pattern int32, end int)) {
	q := int32(s)
	if a.pattern[q] < 0 {
		q = a.suffix[q]
	}
	for ; q >= 0; q = a.suffix[q] {
		report(a.pattern[q], end)
	}
}

// sizeBytes returns the memory the automaton's tables take.
func (a *automaton) sizeBytes() int {
	return len(a.class)*4 + len(a.trans)*4 +
		len(a.pattern)*(4+2+2+4+4+4) // firstChild, childCount, label, fail, pattern, suffix
}
