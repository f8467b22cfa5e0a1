package sinks

import (
	"strings"
	"unicode"
)

// Slack's limits are in characters. We count UTF-16 code units, which is never less than the
// number of code points, so a text that fits by our count fits however Slack counts: a Chinese
// character is one, an emoji outside the Basic Multilingual Plane two.
func slackUnits(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// slackLen is the length of s as counted against Slack's limits.
func slackLen(s string) int {
	n := 0
	for _, r := range s {
		n += slackUnits(r)
	}
	return n
}

// slackEscapedUnits is what r costs once escaped for mrkdwn.
func slackEscapedUnits(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	}
	return slackUnits(r)
}

// mrkdwnEscaper escapes the three characters Slack's mrkdwn gives meaning to: with them
// escaped a post cannot make links or mentions (<!channel>) of its own.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escapeMrkdwn(s string) string { return mrkdwnEscaper.Replace(s) }

// Kinds of places to cut a text, best first.
const (
	slackBreakParagraph = iota // after a blank line
	slackBreakLine             // after a newline
	slackBreakSentence         // after 。！？… or after the space following . ! ?
	slackBreakWord             // after a space or ，、；：
	slackBreakAny              // between two characters (never inside one, nor inside an emoji sequence)
	slackBreakKinds
)

// splitMrkdwn cuts s into pieces whose mrkdwn-escaped form is at most max Slack characters each;
// the pieces joined give s back. It cuts at the best kind of place in the second half of a
// piece: a blank line, a newline, the end of a sentence, a space or a Chinese comma, and only
// when there is none of those anywhere between two characters. It never cuts inside a UTF-8
// sequence, between a character and the combining marks, variation selectors or emoji
// modifiers that follow it, around a zero-width joiner, inside a flag or inside "\r\n".
func splitMrkdwn(s string, max int) []string {
	var pieces []string
	for s != "" {
		n := slackNextCut(s, max)
		pieces = append(pieces, s[:n])
		s = s[n:]
	}
	return pieces
}

// slackNextCut returns the length in bytes of the first piece of s.
func slackNextCut(s string, max int) int {
	var best [slackBreakKinds]int // byte offset of the latest place of each kind; 0 for none
	units := 0                    // escaped length of s[:i]
	var prev, prev2 rune          // the two characters before offset i
	flags := 0                    // regional indicators in a row before offset i
	for i, r := range s {
		if i > 0 && slackCuttable(prev, r, flags) {
			best[slackBreakAny] = i
			if kind := slackBreakKind(prev2, prev); kind < slackBreakAny && 2*units >= max {
				best[kind] = i
			}
		}
		if units+slackEscapedUnits(r) > max {
			for _, at := range best {
				if at > 0 {
					return at
				}
			}
			if i > 0 {
				return i // one cluster longer than max: cut it rather than exceed the limit
			}
			return len(string(r)) // max smaller than one escaped character
		}
		units += slackEscapedUnits(r)
		if slackRegionalIndicator(r) {
			flags++
		} else {
			flags = 0
		}
		prev2, prev = prev, r
	}
	return len(s)
}

// slackCuttable tells whether a piece may end between left and right, flags being the number of
// regional indicators that end with left.
func slackCuttable(left, right rune, flags int) bool {
	switch {
	case left == '\r' && right == '\n':
		return false
	case left == '\u200d': // zero-width joiner: 👩‍💻
		return false
	case slackRegionalIndicator(right) && flags%2 == 1: // the second half of a flag 🇭🇰
		return false
	}
	return !slackExtends(right)
}

// slackExtends tells whether r belongs with the character before it.
func slackExtends(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) ||
		r == '\u200d' ||
		(r >= '\ufe00' && r <= '\ufe0f') || // variation selectors
		(r >= 0x1f3fb && r <= 0x1f3ff) || // emoji skin tones
		(r >= 0xe0020 && r <= 0xe007f) // emoji tag sequences
}

func slackRegionalIndicator(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }

// slackBreakKind rates the place after last, which follows before.
func slackBreakKind(before, last rune) int {
	switch {
	case last == '\n' && before == '\n':
		return slackBreakParagraph
	case last == '\n':
		return slackBreakLine
	case strings.ContainsRune("。！？…", last),
		last == ' ' && strings.ContainsRune(".!?", before),
		strings.ContainsRune("」』）\"'", last) && strings.ContainsRune("。！？.!?", before):
		return slackBreakSentence
	case unicode.IsSpace(last), strings.ContainsRune("，、；：", last):
		return slackBreakWord
	}
	return slackBreakAny
}

// truncateMrkdwn escapes s for mrkdwn, cut with an ellipsis to at most max Slack characters.
func truncateMrkdwn(s string, max int) string {
	if slackLen(escapeMrkdwn(s)) <= max {
		return escapeMrkdwn(s)
	}
	return escapeMrkdwn(strings.TrimRightFunc(splitMrkdwn(s, max-1)[0], unicode.IsSpace)) + "…"
}

// slackTruncatePlain cuts s with an ellipsis to at most max Slack characters.
func slackTruncatePlain(s string, max int) string {
	if slackLen(s) <= max {
		return s
	}
	units := 0
	for i, r := range s {
		if units+slackUnits(r) > max-1 {
			return s[:i] + "…"
		}
		units += slackUnits(r)
	}
	return s
}
