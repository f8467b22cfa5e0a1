package textnorm

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFoldVariants(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"latin and digits untouched", "iphone 15 pro max, 256gb!", "iphone 15 pro max, 256gb!"},
		{"traditional to simplified", "出售二手相機，價格很便宜", "出售二手相机，价格很便宜"},
		{"simplified stays", "出售二手相机，价格很便宜", "出售二手相机，价格很便宜"},
		{"mixed scripts and latin", "iPhone 15 價格 价格 OK", "iPhone 15 价格 价格 OK"},
		{"taiwan form 裡", "這裡", "这里"},
		{"hong kong and opencc form 裏", "這裏", "这里"},
		{"simplified 里", "这里", "这里"},
		{"taiwan 著 and mainland 着", "看著 看着", "看着 看着"},
		{"several traditional forms fold together", "乾 幹 干", "干 干 干"},
		{"後 and 后", "以後 皇后", "以后 皇后"},
		{"髮 and 發", "頭髮 發財", "头发 发财"},
		{"hong kong variant 綫", "綫 線 线", "线 线 线"},
		{"taiwan variant 台 臺 颱", "臺灣 颱風 台灣", "台湾 台风 台湾"},
		{"vocabulary stays: 软件 / 軟體", "軟體 软件", "软体 软件"},
		{"vocabulary stays: 信息 / 資訊", "資訊 信息", "资讯 信息"},
		{"look-alikes do not fold", "土士 己已巳 未末 日曰", "土士 己已巳 未末 日曰"},
		{"kana and hangul untouched", "コーヒー 커피 ｶ", "コーヒー 커피 ｶ"},
		{"full-width latin untouched", "Ｉｐｈｏｎｅ", "Ｉｐｈｏｎｅ"},
		{"emoji untouched", "好 👍\uFE0F", "好 👍\uFE0F"},
		{"extension B untouched", "𠮷𫝈", "𠮷𫝈"},
		{"invalid utf-8 untouched", "\xe6\xa9\x9f\xff\xe6\xa9", "\xe6\x9c\xba\xff\xe6\xa9"},
		{"last character folds", "相機", "相机"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FoldVariants(tt.in)
			if got != tt.want {
				t.Errorf("FoldVariants(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(got) != len(tt.in) {
				t.Errorf("FoldVariants(%q) changed the length from %d to %d", tt.in, len(tt.in), len(got))
			}
			if again := FoldVariants(got); again != got {
				t.Errorf("not idempotent: FoldVariants(%q) = %q", got, again)
			}
			buf, changed := AppendFoldVariants([]byte("prefix:"), tt.in)
			if changed != (got != tt.in) {
				t.Errorf("AppendFoldVariants(%q) reported changed=%v", tt.in, changed)
			}
			if changed && string(buf) != "prefix:"+tt.want {
				t.Errorf("AppendFoldVariants(%q) = %q", tt.in, buf)
			}
			if !changed && string(buf) != "prefix:" {
				t.Errorf("AppendFoldVariants(%q) appended %q although nothing folds", tt.in, buf)
			}
		})
	}
}

func TestFoldVariantsDoesNotAllocateWhenNothingFolds(t *testing.T) {
	in := strings.Repeat("iphone 15 二手车便宜卖, ", 20)
	if allocs := testing.AllocsPerRun(100, func() { _ = FoldVariants(in) }); allocs != 0 {
		t.Errorf("FoldVariants of folded text allocated %v times, want 0", allocs)
	}
}

// TestFoldedTextIsNormal checks that every folded form is Normalize-stable, so folding after
// normalizing gives text that both leave as it is.
func TestFoldedTextIsNormal(t *testing.T) {
	for r := rune(0x800); r <= 0xFFFF; r++ {
		to := FoldVariant(r)
		if to == r {
			continue
		}
		if utf8.RuneLen(to) != utf8.RuneLen(r) {
			t.Errorf("U+%04X folds to U+%04X of another length", r, to)
		}
		if FoldVariant(to) != to {
			t.Errorf("U+%04X folds to U+%04X, which folds again to U+%04X", r, to, FoldVariant(to))
		}
		if n := Normalize(string(to)); n != string(to) {
			t.Errorf("U+%04X folds to %q, which Normalize turns into %q", r, string(to), n)
		}
		if n := Normalize(string(r)); n != string(r) {
			t.Errorf("U+%04X folds but is not normal: Normalize gives %q, so text never holds it", r, n)
		}
	}
}

// TestFoldAgreesWithOpenCC checks the generated table against the dictionaries it came from:
// every single-character conversion of OpenCC's Traditional→Simplified table, and of the
// Hong Kong and Taiwan variant tables, joins characters that fold alike. It fails when the
// table is stale (run go generate ./textnorm).
func TestFoldAgreesWithOpenCC(t *testing.T) {
	dir := filepath.Join("internal", "variantsgen", "opencc")
	pairs := 0
	for _, name := range []string{"TSCharacters.txt", "STCharacters.txt", "HKVariants.txt", "TWVariants.txt"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			key, values, _ := strings.Cut(sc.Text(), "\t")
			k, n := utf8.DecodeRuneInString(key)
			if n != len(key) || n != 3 || Normalize(key) != key {
				continue
			}
			for _, v := range strings.Fields(values) {
				r, n := utf8.DecodeRuneInString(v)
				if n != len(v) || n != 3 || Normalize(v) != v {
					continue
				}
				pairs++
				if FoldVariant(k) != FoldVariant(r) {
					t.Errorf("%s: %c and %c fold to %c and %c", name, k, r, FoldVariant(k), FoldVariant(r))
				}
			}
		}
		f.Close()
	}
	if pairs < 3000 || variantCount < 2500 {
		t.Fatalf("only %d pairs read and %d characters folded: the dictionaries or the table are incomplete", pairs, variantCount)
	}
}
