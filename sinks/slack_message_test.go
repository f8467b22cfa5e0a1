package sinks

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"groupwatch/handlers"
)

var updateSlackGolden = flag.Bool("update-slack", false, "rewrite the golden files in testdata/slack")

func slackAlert(text string) handlers.Alert {
	a := testAlert(42)
	a.Kind = "instant"
	a.DedupKey = "3f2a9c0d5e7b41a6c8d2e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1"
	a.URL = "https://www.facebook.com/groups/hkphones/posts/1001?ref=share&x=1"
	a.Text = text
	return a
}

// slackPostText reassembles the post's text from the messages' text sections.
func slackPostText(msgs []slackMessage) string {
	var b strings.Builder
	for _, m := range msgs {
		for _, blk := range m.Blocks {
			if strings.HasPrefix(blk.BlockID, "text-") {
				b.WriteString(blk.Text.Text)
			}
		}
	}
	// Matched terms are in bold, fenced by zero-width spaces: the post's text is what
	// is left without them.
	r := strings.NewReplacer("\u200b*", "", "*\u200b", "", "&lt;", "<", "&gt;", ">", "&amp;", "&")
	return r.Replace(b.String())
}

// checkSlackLimits fails t for a message Slack would refuse.
func checkSlackLimits(t *testing.T, msgs []slackMessage, lim slackLimits) {
	t.Helper()
	if len(msgs) > lim.messages {
		t.Errorf("%d messages, at most %d allowed", len(msgs), lim.messages)
	}
	for i, m := range msgs {
		if len(m.Blocks) > lim.messageBlocks || len(m.Blocks) > 50 {
			t.Errorf("message %d has %d blocks", i+1, len(m.Blocks))
		}
		if n := m.chars(); n > lim.messageChars || n > 40000 {
			t.Errorf("message %d has %d characters", i+1, n)
		}
		if m.Text == "" || !utf8.ValidString(m.Text) {
			t.Errorf("message %d: fallback text %q", i+1, m.Text)
		}
		ids := map[string]bool{}
		for _, b := range m.Blocks {
			if b.BlockID != "" && ids[b.BlockID] {
				t.Errorf("message %d: block_id %q twice", i+1, b.BlockID)
			}
			ids[b.BlockID] = true
			if b.Text != nil {
				limit := 3000
				switch {
				case b.Type == "header":
					limit = 150
				case strings.HasPrefix(b.BlockID, "text-"):
					limit = min(lim.sectionChars, 3000)
				}
				if n := slackLen(b.Text.Text); n > limit || strings.TrimSpace(b.Text.Text) == "" {
					t.Errorf("message %d: %s block of %d characters", i+1, b.Type, n)
				}
				if !utf8.ValidString(b.Text.Text) {
					t.Errorf("message %d: %s block not valid UTF-8", i+1, b.Type)
				}
			}
			if len(b.Fields) > 10 {
				t.Errorf("message %d: %d fields", i+1, len(b.Fields))
			}
			for _, f := range b.Fields {
				if slackLen(f.Text) > 2000 {
					t.Errorf("message %d: field of %d characters", i+1, slackLen(f.Text))
				}
			}
		}
		if len(msgs) > 1 {
			marker := fmt.Sprintf("(%d/%d)", i+1, len(msgs))
			if !strings.HasSuffix(m.Blocks[0].Text.Text, marker) || !strings.Contains(m.Text, marker) {
				t.Errorf("message %d not marked %s: header %q, text %q", i+1, marker, m.Blocks[0].Text.Text, m.Text)
			}
		}
	}
}

func TestSlackMessages(t *testing.T) {
	many := slackLimits{sectionChars: 10, messageBlocks: 50, messageChars: 1 << 20, messages: 99}
	tests := []struct {
		name     string
		text     string
		lim      slackLimits
		messages int  // how many messages, 0 for more than one
		blocks   int  // how many blocks the first message has, when it matters
		cut      bool // whether the post is too long to send whole
	}{
		{name: "short", text: "出售 二手 iPhone 15 <!channel> & more", lim: defaultSlackLimits, messages: 1},
		{name: "empty text", text: "", lim: defaultSlackLimits, messages: 1},
		{name: "long English", text: slackLongEnglish[:100000], lim: defaultSlackLimits},
		{name: "long Chinese", text: slackLongChinese[:3*100000], lim: defaultSlackLimits},
		{name: "Chinese without punctuation", text: slackChineseRun, lim: defaultSlackLimits, messages: 1},
		{name: "many blocks", text: strings.Repeat("一二三四五 六七八九", 400), lim: many, blocks: 50},
		{name: "too long", text: slackLongChinese, lim: slackLimits{sectionChars: 3000, messageBlocks: 50, messageChars: 40000, messages: 2}, cut: true},
		{name: "too long, one message", text: slackLongEnglish, lim: slackLimits{sectionChars: 3000, messageBlocks: 50, messageChars: 40000, messages: 1}, messages: 1, cut: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := slackMessages(slackAlert(tt.text), tt.lim)
			checkSlackLimits(t, msgs, tt.lim)
			if tt.messages > 0 && len(msgs) != tt.messages {
				t.Errorf("%d messages, want %d", len(msgs), tt.messages)
			}
			if tt.blocks > 0 && len(msgs[0].Blocks) != tt.blocks {
				t.Errorf("first message has %d blocks, want %d", len(msgs[0].Blocks), tt.blocks)
			}
			if tt.messages == 0 && len(msgs) < 2 {
				t.Errorf("%d messages, want it split", len(msgs))
			}
			last := msgs[len(msgs)-1].Blocks
			gotCut := last[len(last)-2].BlockID == "cut"
			if gotCut != tt.cut {
				t.Fatalf("cut %v, want %v", gotCut, tt.cut)
			}
			got := slackPostText(msgs)
			if !tt.cut && got != tt.text {
				t.Errorf("text does not reassemble: %d characters, want %d", len([]rune(got)), len([]rune(tt.text)))
			}
			if tt.cut {
				if !strings.HasPrefix(tt.text, got) {
					t.Fatalf("cut text is not the start of the post")
				}
				note := last[len(last)-2].Text.Text
				if want := fmt.Sprintf("%d more characters", len([]rune(tt.text))-len([]rune(got))); !strings.Contains(note, want) {
					t.Errorf("note %q does not say %q", note, want)
				}
			}
			if first := msgs[0].Blocks; first[0].Type != "header" || first[1].Fields == nil || first[len(first)-1].Type != "context" {
				t.Errorf("first message is not header, facts, …, context: %+v", first)
			}
		})
	}
}

func TestSlackMessagesEscapeThePost(t *testing.T) {
	a := slackAlert("<!channel> win a phone at <https://evil.example|facebook.com> & more")
	a.Author = "<@U123>"
	a.Terms = []string{"a<b"}
	body, err := encodeSlack(slackMessages(a, defaultSlackLimits)[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"<!channel>", "<https://evil", "<@U123>", "a<b", "& more"} {
		if strings.Contains(string(body), raw) {
			t.Errorf("message has %q unescaped: %s", raw, body)
		}
	}
	if !strings.Contains(string(body), "<https://www.facebook.com/groups/hkphones/posts/1001?ref=share&amp;x=1|Open the post ↗>") {
		t.Errorf("message lacks the link to the post: %s", body)
	}
}

func TestSlackMessagesWithoutLinkOrTime(t *testing.T) {
	a := slackAlert("hello")
	a.URL = "javascript:alert(1)"
	a.PostedAt = nil
	msgs := slackMessages(a, defaultSlackLimits)
	for _, b := range msgs[0].Blocks {
		if b.BlockID == "link" {
			t.Errorf("a link to %q", a.URL)
		}
	}
	if posted := msgs[0].Blocks[1].Fields[2].Text; posted != "*Posted*\n_unknown_" {
		t.Errorf("posted field %q", posted)
	}
}

// TestSlackMessageGolden keeps the layout of a short alert in testdata/slack/alert.json:
// review a change there as you would a screenshot.
func TestSlackMessageGolden(t *testing.T) {
	a := slackAlert("出售 二手 iPhone 15 Pro 256GB，九成新，有單有盒。\n旺角交收 & 可議價 <急放>")
	msgs := slackMessages(a, defaultSlackLimits)
	compact, err := encodeSlack(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	if err := json.Indent(&body, compact, "", "  "); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "slack", "alert.json")
	if *updateSlackGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(body.Bytes(), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sinks -run SlackMessageGolden -update-slack)", err)
	}
	if string(want) != body.String()+"\n" {
		t.Errorf("layout changed:\n%s\nwant\n%s", body.String(), want)
	}
}
