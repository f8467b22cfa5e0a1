package sinks

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"groupwatch/config"
	"groupwatch/handlers"
)

// slackLimits are the limits a message must stay within; tests shrink them.
type slackLimits struct {
	sectionChars  int // text of one section block: Slack's limit is 3,000
	messageBlocks int // blocks in one message: 50
	messageChars  int // all the text of one message, fallback included: 40,000
	messages      int // messages one alert may become; the rest of a longer post is cut
}

var defaultSlackLimits = slackLimits{sectionChars: 3000, messageBlocks: 50, messageChars: 40000, messages: 5}

// Room kept in every message for what is only known once the alert is laid out: the
// "(2/3)" marker in the header and the fallback, and the note that says the post was cut.
const (
	slackMarkerRoom = 2 * len(" (99/99)")
	slackNoteRoom   = 200
	slackHeaderMax  = 150  // Slack's limit for a header block
	slackFieldMax   = 2000 // Slack's limit for a section field
	slackSummaryMax = 200  // post text shown in the fallback (the phone's notification)
)

// slackMessage is the JSON posted to an incoming webhook.
type slackMessage struct {
	// Text is the fallback: the notification, and what clients without Block Kit show.
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
	// A Facebook post's preview is a login page: keep the channel clean.
	UnfurlLinks bool `json:"unfurl_links"`
	UnfurlMedia bool `json:"unfurl_media"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	BlockID  string      `json:"block_id,omitempty"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type  string `json:"type"` // plain_text or mrkdwn
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"` // plain_text only
	// Verbatim stops Slack from turning the post's words into links and mentions.
	Verbatim bool `json:"verbatim,omitempty"` // mrkdwn only
}

func slackMrkdwn(s string) slackText { return slackText{Type: "mrkdwn", Text: s} }

// chars is the message's length as counted against Slack's 40,000 characters.
func (m slackMessage) chars() int {
	n := slackLen(m.Text)
	for _, b := range m.Blocks {
		n += b.chars()
	}
	return n
}

func (b slackBlock) chars() int {
	n := 0
	if b.Text != nil {
		n += slackLen(b.Text.Text)
	}
	for _, t := range b.Fields {
		n += slackLen(t.Text)
	}
	for _, t := range b.Elements {
		n += slackLen(t.Text)
	}
	return n
}

// slackMessages lays an alert out as messages within lim, in the order they are to be sent.
// The first has the header, the facts of the post (source, author, time, terms) and the start
// of its text; the text goes on, cut by splitMrkdwn, in continuation messages marked "(2/3)"
// and so on; the link to the post closes the first message and every message ends with the
// alert's id and dedup key. A post too long for lim.messages is cut with a note saying so.
func slackMessages(a handlers.Alert, lim slackLimits) []slackMessage {
	var pieces, shown []string // the text as cut, and as shown: escaped, matched terms in bold
	marks, off := slackMarksOf(a), 0
	for _, p := range splitMrkdwn(a.Text, lim.sectionChars) {
		if strings.TrimSpace(p) != "" { // Slack refuses an empty section
			pieces = append(pieces, p)
			shown = append(shown, marks.mrkdwn(p, off, lim.sectionChars))
		}
		off += len(p)
	}
	link := slackPostLink(a.URL)
	footer := slackFooter(a)

	// fits tells whether b can join msg and leave room for what closes msg: the link (in the
	// first message), the note that the post was cut (when more is to come but msg is the last
	// message allowed), the footer and the "(2/3)" markers.
	fits := func(msg slackMessage, b slackBlock, first, note bool) bool {
		blocks, chars := len(msg.Blocks)+2, msg.chars()+b.chars()+footer.chars()+slackMarkerRoom
		if first && link != nil {
			blocks, chars = blocks+1, chars+link.chars()
		}
		if note {
			blocks, chars = blocks+1, chars+slackNoteRoom
		}
		return blocks <= lim.messageBlocks && chars <= lim.messageChars
	}

	msgs := []slackMessage{{Text: slackFallback(a, "", false), Blocks: []slackBlock{slackHeader(a.Rule), slackFacts(a)}}}
	inCur := 0 // pieces in the last message
	cut := -1  // index of the first piece left out
	for i := range pieces {
		b := slackBlock{Type: "section", BlockID: fmt.Sprintf("text-%d", i+1),
			Text: &slackText{Type: "mrkdwn", Text: shown[i], Verbatim: true}}
		lastAllowed := len(msgs) >= lim.messages
		// A message takes at least one piece, whatever the limits, so that every piece is placed.
		if inCur > 0 && !fits(msgs[len(msgs)-1], b, len(msgs) == 1, lastAllowed && i < len(pieces)-1) {
			if lastAllowed {
				cut = i
				break
			}
			msgs = append(msgs, slackMessage{Text: slackFallback(a, "", true), Blocks: []slackBlock{slackHeader(a.Rule)}})
			inCur = 0
		}
		msgs[len(msgs)-1].Blocks = append(msgs[len(msgs)-1].Blocks, b)
		inCur++
	}

	if link != nil {
		msgs[0].Blocks = append(msgs[0].Blocks, *link)
	}
	if cut >= 0 {
		m := &msgs[len(msgs)-1]
		m.Blocks = append(m.Blocks, slackCutNote(strings.Join(pieces[cut:], ""), link != nil))
	}
	for i := range msgs {
		m := &msgs[i]
		marker := ""
		if len(msgs) > 1 {
			marker = fmt.Sprintf(" (%d/%d)", i+1, len(msgs))
		}
		title := a.Rule
		if strings.TrimSpace(title) == "" { // Slack refuses an empty header
			title = "groupwatch alert"
		}
		m.Blocks[0].Text.Text = slackTruncatePlain(title, slackHeaderMax-len(marker)) + marker
		m.Blocks = append(m.Blocks, footer)
		m.Text = slackFallback(a, marker, i > 0)
	}
	return msgs
}

func slackHeader(rule string) slackBlock {
	return slackBlock{Type: "header", Text: &slackText{Type: "plain_text", Text: rule, Emoji: true}}
}

// slackFacts is what a reader takes in at a glance, two by two.
func slackFacts(a handlers.Alert) slackBlock {
	field := func(label, value string) slackText {
		return slackMrkdwn("*" + label + "*\n" + value)
	}
	author := truncateMrkdwn(a.Author, slackFieldMax/2)
	if a.Author == "" {
		author = "_unknown_"
	}
	terms := make([]string, len(a.Terms))
	for i, t := range a.Terms {
		terms[i] = "`" + strings.ReplaceAll(t, "`", "'") + "`"
	}
	matched := strings.Join(terms, "  ")
	if matched == "" {
		matched = "—"
	}
	return slackBlock{Type: "section", Fields: []slackText{
		field("Source", truncateMrkdwn(a.Source, slackFieldMax/2)),
		field("Author", author),
		field("Posted", slackPostedAt(a)),
		field("Matched", truncateMrkdwn(matched, slackFieldMax/2)),
	}}
}

// slackPostedAt shows the time in each reader's own time zone, with UTC for clients that cannot.
func slackPostedAt(a handlers.Alert) string {
	at, prefix := a.PostedAt, ""
	if at == nil {
		at, prefix = &a.ReceivedAt, "seen " // the source gave no time: say when we saw it
	}
	if at.IsZero() {
		return "_unknown_"
	}
	return fmt.Sprintf("%s<!date^%d^{date_short_pretty} at {time}|%s>",
		prefix, at.Unix(), at.UTC().Format("2006-01-02 15:04 UTC"))
}

// slackPostLink is the button-like line under the text, or nil when the post has no web link.
func slackPostLink(raw string) *slackBlock {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	// In <url|label> a | or > would end the URL early, and & must be escaped like anywhere.
	href := strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", "&", "&amp;").Replace(u.String())
	return &slackBlock{Type: "section", BlockID: "link", Text: &slackText{Type: "mrkdwn", Text: "<" + href + "|Open the post ↗>"}}
}

func slackFooter(a handlers.Alert) slackBlock {
	parts := []string{fmt.Sprintf("Alert %d", a.AlertID)}
	if a.Kind != "" && a.Kind != config.RuleInstant {
		parts = append(parts, escapeMrkdwn(string(a.Kind)))
	}
	parts = append(parts, "dedup `"+truncateMrkdwn(a.DedupKey, 500)+"`")
	return slackBlock{Type: "context", Elements: []slackText{slackMrkdwn(strings.Join(parts, " · "))}}
}

// slackCutNote closes the last message of a post too long to send whole.
func slackCutNote(rest string, hasLink bool) slackBlock {
	text := fmt.Sprintf("_… %d more characters not shown._", len([]rune(rest)))
	if hasLink {
		text = fmt.Sprintf("_… %d more characters not shown: open the post to read it all._", len([]rune(rest)))
	}
	return slackBlock{Type: "section", BlockID: "cut", Text: &slackText{Type: "mrkdwn", Text: text}}
}

// slackFallback is the message's text: what a phone's notification shows.
func slackFallback(a handlers.Alert, marker string, continued bool) string {
	rule := truncateMrkdwn(a.Rule, slackHeaderMax)
	if continued {
		return rule + marker + ": continued"
	}
	who := a.Source
	if a.Author != "" {
		who = a.Author + " in " + a.Source
	}
	summary := strings.Join(strings.FieldsFunc(a.Text, unicode.IsSpace), " ")
	return rule + marker + ": " + truncateMrkdwn(who, slackHeaderMax) + ": " + truncateMrkdwn(summary, slackSummaryMax)
}

// slackTestMessage is what SendTest posts.
func slackTestMessage(sink string, now time.Time) slackMessage {
	name := truncateMrkdwn(sink, 191)
	return slackMessage{
		Text: "groupwatch test message for sink " + name,
		Blocks: []slackBlock{
			{Type: "section", Text: &slackText{Type: "mrkdwn", Text: ":white_check_mark: *groupwatch* test message for sink *" + name +
				"*.\nAlerts of the rules that name this sink will arrive in this channel."}},
			{Type: "context", Elements: []slackText{slackMrkdwn(fmt.Sprintf("Sent by `pipeline sinks test` <!date^%d^{date_short_pretty} at {time}|%s>",
				now.Unix(), now.UTC().Format("2006-01-02 15:04 UTC")))}},
		},
	}
}
