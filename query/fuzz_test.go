package query

import (
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"

	"groupwatch/textnorm"
)

// FuzzParse checks that Parse never panics, that its errors point inside
// the query, and that the canonical form of what it parses reads back as an
// equal expression.
func FuzzParse(f *testing.F) {
	for _, q := range []string{
		`"iphone 15" (二手 OR 便宜) -壞掉`,
		`a OR b c -(d OR "e f")`,
		`NOT NOT a AND b`,
		`(a`, `a)`, `"a`, `""`, `()`, `-a`, `a OR -b`, `a - b`,
		`Ｉｐｈｏｎｅ　１５ （二手）`,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		e, err := Parse(q)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %v is not a *SyntaxError", q, err)
			}
			if se.Column < 1 || se.Column > utf8.RuneCountInString(q)+1 {
				t.Fatalf("Parse(%q) error column %d is outside the query", q, se.Column)
			}
			return
		}
		s := e.String()
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", q, s, err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("Parse(%q) = %#v; its canonical form %q parses to %#v", q, e, s, again)
		}
		if _, err := Compile([]Rule{{Name: "r", Expr: e}}); err != nil {
			t.Fatalf("Compile of Parse(%q): %v", q, err)
		}
	})
}

// FuzzMatch checks the Matcher against the reference matcher on arbitrary
// text, with all states dense and with almost all sparse.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"iPhone 15 二手車", "abab iphone150 pro_max", "café caf é 15!", "コーヒー커피",
		"出售二手相机 價格很便宜", "這裏 这里 這裡 看著"} {
		f.Add(s)
	}
	var rules []Rule
	for _, q := range []string{
		`"iphone 15" (二手 OR 便宜) -壞掉`, `a`, `ab -ba`, `iphone OR pro`, `"pro max" OR pro_max`,
		`15 -150`, `café OR é`, `二手 手車`, `車 -(二 OR 壞)`, `コーヒー OR 커피 OR c++`, `x_y OR "a b"`,
		`相機 OR 价格`, `這裡 -看着`, `"iphone 相機"`,
	} {
		e, err := Parse(q)
		if err != nil {
			f.Fatal(err)
		}
		// Each query twice: folding Chinese variants, and exact.
		rules = append(rules, Rule{Name: q, Expr: e}, Rule{Name: "exact " + q, Expr: e, Exact: true})
	}
	dense, err := compile(rules, denseBytes)
	if err != nil {
		f.Fatal(err)
	}
	sparse, err := compile(rules, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		text := textnorm.Normalize(raw)
		want := referenceMatch(rules, text)
		if got := dense.Match(text); !reflect.DeepEqual(got, want) {
			t.Fatalf("text %q: got %v, want %v", text, got, want)
		}
		if got := sparse.Match(text); !reflect.DeepEqual(got, want) {
			t.Fatalf("text %q, sparse states: got %v, want %v", text, got, want)
		}
		// Match must not panic on text that skipped normalization either.
		dense.Match(raw)
	})
}
