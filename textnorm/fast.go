package textnorm

import "unicode/utf8"

// normalizeFast normalizes s in a single pass when every rune in it is one
// whose normal form does not depend on its neighbours: ASCII, CJK
// ideographs, kana, Hangul syllables, full-width ASCII forms, common CJK and
// typographic punctuation, emoji, white space and zero-width characters. It
// reports false, having done nothing useful, as soon as it meets any other
// rune (or invalid UTF-8); the caller then runs the full pipeline over the
// whole string. TestFastMatchesFull checks the two agree.
func normalizeFast(s string) (string, bool) {
	o := output{src: s}
	pendingSpace := -1 // input offset of a white-space run not yet written
	var run spaceRun   // what that run holds
	var prev rune      // the last rune written
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c <= ' ' && asciiSpaceMask&(1<<c) != 0:
				if pendingSpace < 0 {
					run = spaceRun{}
					if o.len() > 0 {
						pendingSpace = i
					}
				}
				run.add(rune(c))
			default:
				if pendingSpace >= 0 {
					// ASCII never joins across a line break: the run is a space.
					o.writeByte(pendingSpace, ' ')
					pendingSpace = -1
				}
				if 'A' <= c && c <= 'Z' {
					o.writeByte(i, c+'a'-'A')
					prev = rune(c + 'a' - 'A')
					i++
					continue
				}
				// Copy the whole run of bytes that stay as they are at
				// once; per-byte bookkeeping halves the speed on ASCII.
				j := i + 1
				for j < len(s) && s[j] > ' ' && s[j] < utf8.RuneSelf && (s[j] < 'A' || s[j] > 'Z') {
					j++
				}
				o.copyFrom(i, j)
				prev = rune(s[j-1])
				i = j
				continue
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch kind, ascii := classify(r); kind {
		case runeSpace:
			if pendingSpace < 0 {
				run = spaceRun{}
				if o.len() > 0 {
					pendingSpace = i
				}
			}
			run.add(r)
		case runeDrop: // zero-width: nothing to write
		case runeKeep, runeASCII, runeEllipsis:
			if pendingSpace >= 0 {
				if !run.joins(prev, r) {
					o.writeByte(pendingSpace, ' ')
				}
				pendingSpace = -1
			}
			switch kind {
			case runeKeep:
				o.copyFrom(i, i+size)
				prev = r
			case runeASCII:
				o.writeByte(i, ascii)
				prev = rune(ascii)
			default:
				o.writeString("...")
				prev = '.'
			}
		default:
			return "", false
		}
		i += size
	}
	return o.String(), true
}

// asciiSpaceMask has bit c set for each ASCII byte c that unicode.IsSpace
// accepts.
const asciiSpaceMask = 1<<'\t' | 1<<'\n' | 1<<'\v' | 1<<'\f' | 1<<'\r' | 1<<' '

// runeKind says how the fast path treats a non-ASCII rune.
type runeKind uint8

const (
	runeOther    runeKind = iota // needs the full pipeline
	runeKeep                     // already normal, copied as is
	runeSpace                    // white space
	runeDrop                     // zero-width, removed
	runeASCII                    // full-width form of an ASCII character
	runeEllipsis                 // U+2026, NFKC "..."
)

// classify returns how the fast path treats the non-ASCII rune r and, for
// runeASCII, the folded ASCII byte it becomes.
func classify(r rune) (runeKind, byte) {
	switch {
	case 0x4E00 <= r && r <= 0x9FFF, // CJK unified ideographs
		0x3400 <= r && r <= 0x4DBF, // extension A
		0x3041 <= r && r <= 0x3096, // hiragana
		0x30A1 <= r && r <= 0x30FA, // katakana
		r == 0x30FC,                // prolonged sound mark
		0xAC00 <= r && r <= 0xD7A3, // Hangul syllables; jamo fall through
		0x3001 <= r && r <= 0x3002, // 、。
		0x3008 <= r && r <= 0x3011, // 〈〉《》「」『』【】
		r == 0x2014, r == 0x2018, r == 0x2019, r == 0x201C, r == 0x201D, r == 0x00B7,
		0x1F300 <= r && r <= 0x1FAFF, // pictographs and emoji
		r == 0xFE0F:                  // emoji presentation selector
		return runeKeep, 0
	case 0xFF01 <= r && r <= 0xFF5E: // full-width ASCII, NFKC maps to ASCII
		c := byte(r - 0xFF01 + '!')
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return runeASCII, c
	case r == 0x3000, r == 0x00A0, r == 0x0085:
		return runeSpace, 0
	case r == 0x2026:
		return runeEllipsis, 0
	case isZeroWidth(r):
		return runeDrop, 0
	}
	return runeOther, 0
}
