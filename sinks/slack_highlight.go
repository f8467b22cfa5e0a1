package sinks

import (
	"strings"

	"groupwatch/handlers"
)

// slackMarks is the matched terms of an alert found in its text, as the byte ranges of the
// text that show them in the post's own characters (see highlightTerms).
type slackMarks []span

// slackMarksOf finds the alert's terms in its text the way rules match them: Chinese variants
// too, unless the rule is variants: exact.
func slackMarksOf(a handlers.Alert) slackMarks {
	var marks slackMarks
	at := 0
	for _, seg := range highlightTerms(a.Text, a.Terms, a.Variants != handlers.VariantsExact) {
		if seg.Match {
			marks = append(marks, span{at, at + len(seg.Text)})
		}
		at += len(seg.Text)
	}
	return marks
}

// mrkdwn escapes piece, which starts at byte offset off of the alert's text, and sets the
// matched terms in it in bold. Slack only sees *bold* at word edges, and Chinese has none,
// so each mark is fenced with zero-width spaces. A mark is left plain where bold cannot
// show it (it spans a line break or holds an asterisk), and the whole piece is when the
// marks would take it over limit Slack characters.
func (m slackMarks) mrkdwn(piece string, off, limit int) string {
	var b strings.Builder
	at, marked := 0, false // offset in piece written so far; whether anything is bold
	for _, mk := range m {
		start, end := max(mk.start-off, 0), min(mk.end-off, len(piece))
		if end <= 0 || start >= len(piece) || start >= end {
			continue
		}
		word := piece[start:end]
		if strings.ContainsAny(word, "*\n") || strings.TrimSpace(word) == "" {
			continue
		}
		b.WriteString(escapeMrkdwn(piece[at:start]))
		b.WriteString("\u200b*" + escapeMrkdwn(word) + "*\u200b")
		at, marked = end, true
	}
	if !marked {
		return escapeMrkdwn(piece)
	}
	b.WriteString(escapeMrkdwn(piece[at:]))
	if slackLen(b.String()) > limit {
		return escapeMrkdwn(piece)
	}
	return b.String()
}
