package textnorm

import (
	"strings"
	"testing"
)

func BenchmarkNormalize(b *testing.B) {
	inputs := []struct {
		name string
		text string
	}{
		{"ascii", strings.Repeat("Selling my iPhone 15 Pro, barely used.\tPrice is firm!\n", 10)},
		{"ascii-normal", strings.Repeat("selling my iphone 15 pro, barely used. price is firm! ", 10)},
		{"cjk", strings.Repeat("二手 iPhone 15，九成新！價格可議（面交）。", 8)},
		{"full-pipeline", strings.Repeat("Café déjà vu ﬁle ｺｰﾋｰ Straße. ", 16)},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.text)))
			for b.Loop() {
				_ = Normalize(in.text)
			}
		})
	}
}

// BenchmarkFoldVariants measures folding Chinese variants over normalized text: Traditional
// Chinese (almost every character folds), Simplified (none does) and English.
func BenchmarkFoldVariants(b *testing.B) {
	inputs := []struct {
		name string
		text string
	}{
		{"traditional", strings.Repeat("二手 iphone 15,九成新!價格可議(面交)。這裡的相機很便宜", 8)},
		{"simplified", strings.Repeat("二手 iphone 15,九成新!价格可议(面交)。这里的相机很便宜", 8)},
		{"english", strings.Repeat("selling my iphone 15 pro, barely used. price is firm! ", 10)},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.text)))
			var buf []byte
			for b.Loop() {
				buf, _ = AppendFoldVariants(buf[:0], in.text)
			}
		})
	}
}
