package textnorm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize checks that Normalize never panics, is idempotent, produces
// valid UTF-8 with single inner spaces only, and that the fast path agrees
// with the full pipeline whenever it accepts the input.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "Ｉｐｈｏｎｅ　１５", "a\u200Bb", "cafe\u0301", "\xff\xfe", "ΣΑΣ", "ｺｰﾋｰ", "二手 車\t",
		"出售二手相机 價格很便宜", "這裏這裡这里 看著\uF900", "合\n作", "合 \r\n作", "合\n\n作"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: Normalize(%q) = %q, Normalize of that = %q", s, n, again)
		}
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q has untrimmed or doubled spaces", s, n)
		}
		// Folding Chinese variants keeps the length, folds once for all, and gives text
		// that normalization leaves as it is.
		folded := FoldVariants(n)
		if len(folded) != len(n) || FoldVariants(folded) != folded || Normalize(folded) != folded {
			t.Fatalf("FoldVariants(Normalize(%q)) = %q: changed length, folds again, or is not normal", s, folded)
		}
		if fast, ok := normalizeFast(s); ok {
			if full := normalizeFull(s); fast != full {
				t.Fatalf("normalizeFast(%q) = %q, normalizeFull = %q", s, fast, full)
			}
		}
	})
}
