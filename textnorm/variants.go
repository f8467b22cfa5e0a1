package textnorm

import "math/bits"

//go:generate go run ./internal/variantsgen -dict internal/variantsgen/opencc -o variants_table.go

// Chinese variant folding is the second step of the matching form, after Normalize: rule
// terms and post text are both folded, so a rule written in Traditional Chinese (相機) matches
// a post in Simplified (相机) and the other way round, and the regional forms of a character
// (裏/裡/里, 着/著) match each other. It is kept apart from Normalize because a rule may ask
// for the characters exactly as written (variants: exact), and because the stored text and
// its content hash are better left in the script the poster used.
//
// Folding replaces one character by one character of the same UTF-8 length, so a byte offset
// in the folded text is the same offset in the text before folding: word boundaries,
// positions and highlighting line up without a map. The table comes from OpenCC's character
// dictionaries (see internal/variantsgen for how a class's folded form is chosen: the
// Simplified one); words that differ by vocabulary rather than by character (软件 / 軟體,
// 信息 / 資訊) stay different.

// FoldVariant returns the character that the Chinese character r folds to, or r itself.
func FoldVariant(r rune) rune {
	if to := variantOf(r); to != 0 {
		return to
	}
	return r
}

// variantOf returns the character r folds to, or 0 when it folds to itself. The table is a
// bitmap with ranks (see internal/variantsgen), about 10 KB, so that it stays cached while
// the matcher's far larger automaton runs beside it.
func variantOf(r rune) rune {
	o := uint32(r - variantBase)
	if o >= uint32(len(variantBits))*64 {
		return 0
	}
	w, bit := variantBits[o/64], uint64(1)<<(o%64)
	if w&bit == 0 {
		return 0
	}
	return rune(variantTo[int(variantRank[o/64])+bits.OnesCount64(w&(bit-1))])
}

// FoldVariants returns s with every Chinese character folded to its one form (see
// FoldVariant). The result has the same length as s, byte for byte, and everything but those
// characters unchanged; when nothing folds, s itself is returned without allocating. Folding
// is idempotent, and Normalize leaves folded text as it is, so
// FoldVariants(Normalize(s)) is a fixed point of both.
func FoldVariants(s string) string {
	i := nextVariant(s, 0)
	if i < 0 {
		return s
	}
	b := make([]byte, len(s))
	copy(b, s)
	foldFrom(b, i)
	return string(b)
}

// AppendFoldVariants appends the folded form of s to dst and reports whether it differs from
// s, so that a caller with a buffer of its own (the matcher, once per post) neither allocates
// nor copies when nothing folds: on false, dst is returned as it was.
func AppendFoldVariants(dst []byte, s string) ([]byte, bool) {
	i := nextVariant(s, 0)
	if i < 0 {
		return dst, false
	}
	n := len(dst)
	dst = append(dst, s...)
	foldFrom(dst[n:], i)
	return dst, true
}

// foldFrom folds b in place from offset i, where a character that folds starts. It walks
// the text like nextVariant but writes as it goes, rather than calling it once per fold:
// in Traditional Chinese most characters fold.
func foldFrom(b []byte, i int) {
	n := len(b)
	for i+2 < n {
		c := b[i]
		if c < 0x80 {
			i++
			for i+8 <= n && load64(b, i)&0x8080808080808080 == 0 {
				i += 8
			}
			continue
		}
		c1, c2 := b[i+1], b[i+2]
		if c&0xF0 != 0xE0 || c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
			i++
			continue
		}
		if c >= variantLeadMin && c <= variantLeadMax {
			// Whether a character folds is as good as random in running text: writing it
			// back unchanged costs less than a mispredicted branch.
			r := decode3(c, c1, c2)
			to := variantOf(r)
			if to == 0 {
				to = r
			}
			b[i+1] = 0x80 | byte(to>>6)&0x3F
			b[i+2] = 0x80 | byte(to)&0x3F
			b[i] = 0xE0 | byte(to>>12)
		}
		i += 3
	}
}

// nextVariant returns the offset of the first character at or after from that folds to
// another, or -1. Only three-byte sequences can, with a lead byte between variantLeadMin and
// variantLeadMax (which the generator keeps within E1..EC, where no sequence is overlong or
// a surrogate). Runs of ASCII are skipped eight bytes at a time and a whole three-byte
// character at once, so mixed text costs about one step per character.
func nextVariant[T string | []byte](s T, from int) int {
	n := len(s)
	for i := from; i+2 < n; {
		c := s[i]
		if c < 0x80 {
			i++
			for i+8 <= n && load64(s, i)&0x8080808080808080 == 0 {
				i += 8
			}
			continue
		}
		c1, c2 := s[i+1], s[i+2]
		if c&0xF0 != 0xE0 || c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
			i++ // not a three-byte character: step over it a byte at a time
			continue
		}
		if c >= variantLeadMin && c <= variantLeadMax {
			if variantOf(decode3(c, c1, c2)) != 0 {
				return i
			}
		}
		i += 3
	}
	return -1
}

// load64 reads eight bytes of s at i, little-endian; the compiler makes it one load.
func load64[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// decode3 decodes a three-byte UTF-8 sequence.
func decode3(c0, c1, c2 byte) rune {
	return rune(c0&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)
}
