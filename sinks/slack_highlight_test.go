package sinks

import (
	"strings"
	"testing"

	"groupwatch/handlers"
)

// TestSlackHighlightsTermsAsWritten checks that Slack shows the post's own characters in
// bold where a term matched, through Chinese variants unless the rule is exact.
func TestSlackHighlightsTermsAsWritten(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		terms    []string
		variants string
		lim      slackLimits
		want     string // the text sections joined
	}{
		{"traditional term, simplified post", "出售二手相机 & 镜头", []string{"相機"}, "", defaultSlackLimits,
			"出售二手\u200b*相机*\u200b &amp; 镜头"},
		{"simplified term, traditional post", "價格很便宜", []string{"价格"}, "", defaultSlackLimits,
			"\u200b*價格*\u200b很便宜"},
		{"exact rule marks only its own characters", "相机 相機", []string{"相機"}, handlers.VariantsExact, defaultSlackLimits,
			"相机 \u200b*相機*\u200b"},
		{"a mark across a line break stays plain", "iPhone\n15 <new>", []string{"iphone 15"}, "", defaultSlackLimits,
			"iPhone\n15 &lt;new&gt;"},
		{"bold that would pass a section's limit is left out", "aaaa 相機相機 bbbb", []string{"相機相機"}, "",
			slackLimits{sectionChars: 7, messageBlocks: 50, messageChars: 1 << 20, messages: 99},
			"aaaa 相機相機 bbbb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := slackAlert(tt.text)
			a.Terms, a.Variants = tt.terms, tt.variants
			msgs := slackMessages(a, tt.lim)
			checkSlackLimits(t, msgs, tt.lim)
			var b strings.Builder
			for _, m := range msgs {
				for _, blk := range m.Blocks {
					if strings.HasPrefix(blk.BlockID, "text-") {
						b.WriteString(blk.Text.Text)
					}
				}
			}
			if b.String() != tt.want {
				t.Errorf("text sections %q, want %q", b.String(), tt.want)
			}
		})
	}
}
