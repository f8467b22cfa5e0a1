package textnorm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"already normal", "iphone 15 pro", "iphone 15 pro"},
		{"ascii case", "iPhone 15 PRO", "iphone 15 pro"},
		{"full-width", "Ｉｐｈｏｎｅ　１５", "iphone 15"},
		{"full-width punctuation", "二手！（便宜）", "二手!(便宜)"},
		{"cjk untouched", "二手車便宜賣", "二手車便宜賣"},
		{"kana and hangul", "コーヒー 커피", "コーヒー 커피"},
		{"zero width inside word", "i\u200Bphone\u200C1\u200D5\u2060\uFEFF", "iphone15"},
		{"soft hyphen", "ex\u00ADample", "example"},
		{"zero width between spaces", "a \u200B b", "a b"},
		{"tabs and newlines", "a\t\tb\n\r\nc", "a b c"},
		{"ideographic space", "二手\u3000\u3000車", "二手 車"},
		{"no-break and other spaces", "a\u00A0b\u2003c\u2028d\u0085e", "a b c d e"},
		{"trim", " \t\u3000 hello \n", "hello"},
		{"only space", " \t\u3000 ", ""},
		{"only zero width", "\u200B\uFEFF", ""},
		{"latin accents fold", "CAFÉ Straße", "café strasse"},
		{"decomposed accent composes", "cafe\u0301", "café"},
		{"zero width does not block composition", "cafe\u200B\u0301", "café"},
		{"compatibility ligature", "ﬁle", "file"},
		{"half-width katakana", "ｺｰﾋｰ", "コーヒー"},
		{"circled digit", "①", "1"},
		{"ellipsis", "好……", "好......"},
		{"greek final sigma folds", "ΣΊΣΥΦΟΣ", "σίσυφοσ"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"invalid utf-8 in cjk", "二\xe4手", "二\uFFFD手"},
		{"cherokee folds to capitals", "\u13C1\uAB91", "\u13C1\u13C1"},
		{"emoji kept", "好 👍\uFE0F", "好 👍\uFE0F"},
		{"cjk wrapped across lines", "我們合\n作吧", "我們合作吧"},
		{"cjk wrap with spaces around the break", "合 \r\n\t作", "合作"},
		{"cjk wrap with ideographic space", "合\u3000\n作", "合作"},
		{"cjk wrap after punctuation", "好。\n我們", "好。我們"},
		{"kana wrapped", "コー\nヒー", "コーヒー"},
		{"cjk wrap with zero width", "合\n\u200B作", "合作"},
		{"cjk wrap on a line separator", "合\u2028作", "合作"},
		{"cjk wrap in the full pipeline", "Ｃａｆé 合\n作", "café 合作"},
		{"cjk space without break kept", "二手 車", "二手 車"},
		{"cjk blank line kept as space", "合\n\n作", "合 作"},
		{"cjk crlf blank line kept", "合\r\n\r\n作", "合 作"},
		{"latin wrap kept", "acme\nrefund", "acme refund"},
		{"cjk then latin wrap kept", "合\nacme", "合 acme"},
		{"hangul wrap kept", "커\n피", "커 피"},
		{"full-width latin wrap kept", "合\nＡ", "合 a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := normalizeFull(tt.in); got != tt.want {
				t.Errorf("normalizeFull(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestFastMatchesFull checks every rune the fast path accepts, alone and
// between other text, against the full pipeline.
func TestFastMatchesFull(t *testing.T) {
	contexts := []struct{ before, after string }{
		{"", ""},
		{"A ", " b"},
		{"二", "手"},
		{"Ｘ", "\u3000"},
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if r >= utf8.RuneSelf {
			if kind, _ := classify(r); kind == runeOther {
				continue
			}
		}
		for _, c := range contexts {
			in := c.before + string(r) + c.after
			fast, ok := normalizeFast(in)
			if !ok {
				t.Fatalf("normalizeFast(%q) refused a rune it classifies", in)
			}
			if full := normalizeFull(in); fast != full {
				t.Fatalf("U+%04X: normalizeFast(%q) = %q, normalizeFull = %q", r, in, fast, full)
			}
		}
	}
}

func TestNormalizeDoesNotAllocateWhenNormal(t *testing.T) {
	in := strings.Repeat("iphone 15 二手車便宜賣, ", 20) + "end"
	allocs := testing.AllocsPerRun(100, func() { _ = Normalize(in) })
	if allocs != 0 {
		t.Errorf("Normalize of normal text allocated %v times, want 0", allocs)
	}
}
