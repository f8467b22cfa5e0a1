package query

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"groupwatch/textnorm"
)

// mustCompile compiles queries as rules named r0, r1, ...
func mustCompile(t testing.TB, queries ...string) *Matcher {
	t.Helper()
	rules := make([]Rule, len(queries))
	for i, q := range queries {
		e, err := Parse(q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", q, err)
		}
		rules[i] = Rule{Name: fmt.Sprintf("r%d", i), Expr: e}
	}
	m, err := Compile(rules)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		query string
		text  string   // raw; normalized by the test
		terms []string // terms of the single result, nil for no match
	}{
		{"phrase", `"iphone 15"`, "Selling iPhone 15 cheap", []string{"iphone 15"}},
		{"full-width text", `"iphone 15"`, "賣Ｉｐｈｏｎｅ　１５", []string{"iphone 15"}},
		{"full-width query", `Ｉｐｈｏｎｅ`, "iphone", []string{"iphone"}},
		{"digit end needs boundary", `"iphone 15"`, "iphone 150", nil},
		{"letter start needs boundary", `"iphone 15"`, "myiphone 15", nil},
		{"punctuation is a boundary", `15`, "iphone 15!", []string{"15"}},
		{"end of text is a boundary", `15`, "iphone 15", []string{"15"}},
		{"underscore is not a boundary", `iphone`, "iphone_15", nil},
		{"accented letter is not a boundary", `caf`, "café", nil},
		{"accented term", `café`, "Un CAFÉ!", []string{"café"}},
		{"accented edge needs boundary", `é`, "café", nil},
		{"cjk substring", `二手`, "賣二手車", []string{"二手"}},
		{"cjk next to latin term", `iphone`, "iphone二手", []string{"iphone"}},
		{"latin next to cjk term", `二手`, "ab二手cd", []string{"二手"}},
		{"mixed term latin edge", `iphone二手`, "xiphone二手車", nil},
		{"mixed term cjk edge", `iphone二手`, "賣iphone二手車", []string{"iphone二手"}},
		{"kana and hangul", `コーヒー 커피`, "コーヒーを커피가", []string{"コーヒー", "커피"}},
		{"later occurrence fits", `pro`, "product pros pro", []string{"pro"}},
		{"and needs all", `iphone 便宜`, "iphone 很貴", nil},
		{"and", `iphone 便宜`, "iphone 便宜賣", []string{"iphone", "便宜"}},
		{"or one side", `iphone OR 三星`, "三星手機", []string{"三星"}},
		{"or keeps only true alternatives", `(a x) OR b`, "a b", []string{"b"}},
		{"lowercase or is a term", `a or b`, "a b", nil},
		{"lowercase or matched", `a or b`, "a or b", []string{"a", "b", "or"}},
		{"negation blocks", `iphone -壞掉`, "iphone 壞掉了", nil},
		{"negation passes", `iphone -壞掉`, "iphone 好的", []string{"iphone"}},
		{"negated term not in terms", `iphone -(壞 OR 爛)`, "iphone", []string{"iphone"}},
		{"negated phrase boundary", `iphone -"pro max"`, "iphone pro maxi", []string{"iphone"}},
		{"double negation is positive", `a -(-b)`, "a b", []string{"a", "b"}},
		{"negated or of negations", `-(-a OR -b)`, "b a", []string{"a", "b"}},
		{"spec example", `"iphone 15" (二手 OR 便宜) -壞掉`, "出 iPhone 15 二手，便宜賣！", []string{"iphone 15", "二手", "便宜"}},
		{"spec example negated", `"iphone 15" (二手 OR 便宜) -壞掉`, "iPhone 15 二手 螢幕壞掉", nil},
		{"repeated term once", `a a`, "a a a", []string{"a"}},
		{"zero width in text", `iphone`, "i\u200bphone", []string{"iphone"}},
		{"overlapping terms", `abc OR bcd`, "abcd", nil},
		{"overlapping cjk terms", `二手 手車`, "二手車", []string{"二手", "手車"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustCompile(t, tt.query)
			got := m.Match(textnorm.Normalize(tt.text))
			var want []Result
			if tt.terms != nil {
				want = []Result{{Rule: "r0", Terms: tt.terms}}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("query %q on %q: got %v, want %v", tt.query, tt.text, got, want)
			}
		})
	}
}

func TestMatchManyRules(t *testing.T) {
	m := mustCompile(t, `iphone`, `二手 -壞`, `"iphone 15" pro`, `samsung OR 三星`, `iphone 二手`)
	got := m.Match(textnorm.Normalize("iPhone 15 Pro 二手"))
	want := []Result{
		{Rule: "r0", Terms: []string{"iphone"}},
		{Rule: "r1", Terms: []string{"二手"}},
		{Rule: "r2", Terms: []string{"iphone 15", "pro"}},
		{Rule: "r4", Terms: []string{"iphone", "二手"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := m.Match("nothing here"); got != nil {
		t.Errorf("non-matching text: got %v, want nil", got)
	}
	if got := m.Match(""); got != nil {
		t.Errorf("empty text: got %v, want nil", got)
	}
}

func TestCompileErrors(t *testing.T) {
	ok := Term{Text: "a"}
	tests := []struct {
		name  string
		rules []Rule
		want  string
	}{
		{"no name", []Rule{{Expr: ok}}, "cannot compile rule 0: it has no name"},
		{"duplicate name", []Rule{{Name: "x", Expr: ok}, {Name: "x", Expr: ok}}, `cannot compile rule "x": the name is used twice`},
		{"nil expr", []Rule{{Name: "x", Expr: nil}}, `cannot compile rule "x": expression is missing`},
		{"empty and", []Rule{{Name: "x", Expr: And{}}}, `cannot compile rule "x": AND or OR has no operands`},
		{"quote in term", []Rule{{Name: "x", Expr: Term{Text: `a" OR "b`}}}, `cannot compile rule "x": term "a\" OR \"b" contains a quote character`},
		{"pure negation", []Rule{{Name: "x", Expr: Not{Arg: ok}}}, `cannot compile rule "x": query needs at least one term that is not negated at column 1`},
		{"empty term", []Rule{{Name: "x", Expr: Term{Text: " "}}}, `cannot compile rule "x": empty phrase at column 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.rules)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Compile error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCompileNormalizesHandBuiltTerms(t *testing.T) {
	m, err := Compile([]Rule{{Name: "x", Expr: And{Args: []Expr{Term{Text: "iPhone"}, Term{Text: "Ｐｒｏ  Max"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Match("iphone pro max")
	want := []Result{{Rule: "x", Terms: []string{"iphone", "pro max"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestCompileNoRules(t *testing.T) {
	m, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Match("anything"); got != nil {
		t.Errorf("got %v, want nil", got)
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := mustCompile(t, `iphone`, `二手 -壞`, `a OR b`)
	texts := []string{"iphone 二手", "壞 二手", "b", strings.Repeat("x ", 100)}
	want := make([][]Result, len(texts))
	for i, s := range texts {
		want[i] = m.Match(s)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := (g + i) % len(texts)
				if got := m.Match(texts[k]); !reflect.DeepEqual(got, want[k]) {
					t.Errorf("Match(%q) = %v concurrently, want %v", texts[k], got, want[k])
					return
				}
			}
		})
	}
	wg.Wait()
}
