package textnorm

import "strings"

// output collects the normalized text without copying for as long as it is
// identical to a prefix of the input, so already-normalized text (the common
// case for posts that were normalized once and are normalized again) costs
// no allocation.
type output struct {
	src      string
	n        int  // while !diverged, the output is src[:n]
	diverged bool // the output is in buf
	buf      strings.Builder
}

// copyFrom emits src[i:j] unchanged.
func (o *output) copyFrom(i, j int) {
	if !o.diverged && o.n == i {
		o.n = j
		return
	}
	o.diverge()
	o.buf.WriteString(o.src[i:j])
}

// writeByte emits b in place of the input byte at i.
func (o *output) writeByte(i int, b byte) {
	if !o.diverged && o.n == i && o.src[i] == b {
		o.n++
		return
	}
	o.diverge()
	o.buf.WriteByte(b)
}

// writeString emits s, which never equals the input it replaces.
func (o *output) writeString(s string) {
	o.diverge()
	o.buf.WriteString(s)
}

// len returns the length of the output so far.
func (o *output) len() int {
	if !o.diverged {
		return o.n
	}
	return o.buf.Len()
}

func (o *output) diverge() {
	if !o.diverged {
		o.diverged = true
		o.buf.Grow(len(o.src))
		o.buf.WriteString(o.src[:o.n])
	}
}

func (o *output) String() string {
	if !o.diverged {
		return o.src[:o.n]
	}
	return o.buf.String()
}
