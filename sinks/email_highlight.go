package sinks

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"groupwatch/textnorm"
)

// textSegment is a piece of a post's text, Match when it is a matched term.
type textSegment struct {
	Text  string
	Match bool
}

// highlightTerms cuts text into segments so that every occurrence of a term is its own
// segment. Terms are found the way rules match them: in the textnorm form of the text
// (case-folded, NFKC, white space collapsed), with a word boundary at a Latin or digit edge,
// so "iphone 15" marks "iPhone  15" and "ｉＰｈｏｎｅ 15" but not "iPhone 150"; with fold
// (a rule that is not variants: exact), Chinese variants too, so the term 相機 marks the
// post's own 相机. The segments are the text as written, whatever matched it.
func highlightTerms(text string, terms []string, fold bool) []textSegment {
	norm, origin := normalizeWithOrigin(text)
	if fold {
		// Folding keeps byte offsets, so origin still maps every byte.
		norm = textnorm.FoldVariants(norm)
	}
	marked := make([]bool, len(text)) // by byte offset in text
	found := false
	for _, term := range terms {
		term = textnorm.Normalize(term)
		if fold {
			term = textnorm.FoldVariants(term)
		}
		if term == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(term)
		last, _ := utf8.DecodeLastRuneInString(term)
		for from := 0; from <= len(norm); {
			i := strings.Index(norm[from:], term)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(term)
			from = start + utf8.RuneLen(first)
			if isWordRune(first) && start > 0 {
				if r, _ := utf8.DecodeLastRuneInString(norm[:start]); isWordRune(r) {
					continue
				}
			}
			if isWordRune(last) && end < len(norm) {
				if r, _ := utf8.DecodeRuneInString(norm[end:]); isWordRune(r) {
					continue
				}
			}
			for b := origin[start].start; b < origin[end-1].end; b++ {
				marked[b] = true
			}
			found = true
		}
	}
	if !found {
		return []textSegment{{Text: text}}
	}
	var segs []textSegment
	start := 0
	for i := 1; i <= len(text); i++ {
		if i == len(text) || marked[i] != marked[start] {
			segs = append(segs, textSegment{Text: text[start:i], Match: marked[start]})
			start = i
		}
	}
	return segs
}

// normalizeWithOrigin normalizes text one rune at a time and returns, for every byte of the
// result, the bytes of text it came from: the rune it is part of the normal form of, or the
// run of white space a space stands for.
func normalizeWithOrigin(text string) (string, []span) {
	var b strings.Builder
	origin := make([]span, 0, len(text))
	spaceAt := -1 // start of a run of white space not written yet
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		if unicode.IsSpace(r) {
			if spaceAt < 0 {
				spaceAt = i
			}
			i = next
			continue
		}
		n := textnorm.Normalize(string(r))
		if n == "" { // zero-width
			i = next
			continue
		}
		if spaceAt >= 0 && b.Len() > 0 {
			b.WriteByte(' ')
			origin = append(origin, span{spaceAt, i})
		}
		spaceAt = -1
		b.WriteString(n)
		for range len(n) {
			origin = append(origin, span{i, next})
		}
		i = next
	}
	return b.String(), origin
}

// span is the bytes [start, end) of a text.
type span struct{ start, end int }

// isWordRune is the rule matcher's word rune (package query): a letter, mark, number or
// underscore that is not CJK. A term edge that is one must sit on a word boundary.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' || 'A' <= r && r <= 'Z'
	}
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == 'ー' {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r)
}
