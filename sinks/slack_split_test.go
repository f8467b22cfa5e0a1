package sinks

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Long texts the splitter and the layout are tried on.
var (
	slackLongEnglish = strings.Repeat("The new phone arrived today & the box was <sealed>. "+
		"Battery life is great, the camera is better than I expected!\n\n", 900)
	slackLongChinese = strings.Repeat("今日收到新手機，包裝完好，電池續航力很好，相機比預期更出色。"+
		"店員服務態度一般，但價錢合理！", 4000)
	slackChineseRun = strings.Repeat("香港二手蘋果手機出售價錢可議", 500)
)

func TestSplitMrkdwn(t *testing.T) {
	tests := []struct {
		name string
		text string
		max  int
		// pieces, when given, is the exact cut expected.
		pieces []string
		// endsWith, when given, is what every piece but the last must end with.
		endsWith string
	}{
		{name: "empty", text: "", max: 10, pieces: nil},
		{name: "fits", text: "出售 iPhone", max: 10, pieces: []string{"出售 iPhone"}},
		{name: "at a space", text: "aaaa bbbb cccc", max: 10, pieces: []string{"aaaa bbbb ", "cccc"}},
		{name: "sentence beats space", text: "One two. Three four five", max: 18, pieces: []string{"One two. ", "Three four five"}},
		{name: "paragraph beats newline", text: "aaaaaaa\n\nbb\ncc dd", max: 14, pieces: []string{"aaaaaaa\n\n", "bb\ncc dd"}},
		{name: "not before the second half", text: "a bbbbbbbbbbbbbbbbbb", max: 10, pieces: []string{"a bbbbbbbb", "bbbbbbbbbb"}},
		{name: "Chinese at 。", text: "今日收到新手機。包裝完好", max: 10, pieces: []string{"今日收到新手機。", "包裝完好"}},
		{name: "Chinese at ，", text: "今日收到新手機，包裝完好", max: 10, pieces: []string{"今日收到新手機，", "包裝完好"}},
		{name: "Chinese without punctuation", text: "一二三四五六七八九十甲乙", max: 5, pieces: []string{"一二三四五", "六七八九十", "甲乙"}},
		{name: "escapes count", text: "&&&&&", max: 12, pieces: []string{"&&", "&&", "&"}},
		{name: "mention is one piece", text: "<!channel>", max: 20, pieces: []string{"<!channel>"}},
		{name: "emoji counts two", text: "😀😀😀😀😀", max: 5, pieces: []string{"😀😀", "😀😀", "😀"}},
		{name: "skin tone stays", text: "ab👍🏽cd", max: 4, pieces: []string{"ab", "👍🏽", "cd"}},
		{name: "zero-width joiner", text: "a👩\u200d💻b", max: 5, pieces: []string{"a", "👩\u200d💻", "b"}},
		{name: "flags whole", text: "a🇭🇰🇹🇼", max: 4, pieces: []string{"a", "🇭🇰", "🇹🇼"}},
		{name: "combining accent", text: "caf" + "e\u0301" + "s", max: 4, pieces: []string{"caf", "e\u0301s"}},
		{name: "crlf", text: "abc\r\ndef", max: 4, pieces: []string{"abc", "\r\n", "def"}},
		{name: "one character over max", text: "&x", max: 3, pieces: []string{"&", "x"}},
		{name: "long English", text: slackLongEnglish, max: 3000, endsWith: "\n\n"},
		{name: "long Chinese", text: slackLongChinese, max: 3000},
		{name: "Chinese without punctuation, long", text: slackChineseRun, max: 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pieces := splitMrkdwn(tt.text, tt.max)
			if got := strings.Join(pieces, ""); got != tt.text {
				t.Fatalf("pieces do not join to the text")
			}
			for i, p := range pieces {
				if !utf8.ValidString(p) {
					t.Fatalf("piece %d is not valid UTF-8: %q", i, p)
				}
				if n := slackLen(escapeMrkdwn(p)); n > tt.max && utf8.RuneCountInString(p) > 1 {
					t.Fatalf("piece %d is %d characters escaped, over %d", i, n, tt.max)
				}
				if tt.endsWith != "" && i < len(pieces)-1 && !strings.HasSuffix(p, tt.endsWith) {
					t.Errorf("piece %d ends %q, want a cut after %q", i, p[len(p)-10:], tt.endsWith)
				}
			}
			if tt.pieces != nil && strings.Join(tt.pieces, "|") != strings.Join(pieces, "|") {
				t.Errorf("pieces %q, want %q", pieces, tt.pieces)
			}
		})
	}
}

func TestSplitMrkdwnFillsPieces(t *testing.T) {
	// Cutting at soft places must not waste Slack's room: no piece but the last under half.
	for name, text := range map[string]string{"English": slackLongEnglish, "Chinese": slackLongChinese, "unpunctuated": slackChineseRun} {
		pieces := splitMrkdwn(text, 3000)
		for i, p := range pieces[:len(pieces)-1] {
			if n := slackLen(escapeMrkdwn(p)); n < 1500 {
				t.Errorf("%s: piece %d is only %d characters", name, i, n)
			}
		}
	}
	// A Chinese text without punctuation fills each piece exactly.
	if n := slackLen(splitMrkdwn(slackChineseRun, 3000)[0]); n != 3000 {
		t.Errorf("first piece %d characters, want 3000", n)
	}
}

func TestTruncate(t *testing.T) {
	if got := truncateMrkdwn("a<b", 10); got != "a&lt;b" {
		t.Errorf("truncateMrkdwn short: %q", got)
	}
	if got := truncateMrkdwn("出售二手手機", 4); got != "出售二…" {
		t.Errorf("truncateMrkdwn long: %q", got)
	}
	if got := truncateMrkdwn("a&b&c", 7); slackLen(got) > 7 || got != "a&amp;…" {
		t.Errorf("truncateMrkdwn escapes: %q", got)
	}
	if got := slackTruncatePlain("😀😀😀", 4); got != "😀…" {
		t.Errorf("slackTruncatePlain: %q", got)
	}
}
