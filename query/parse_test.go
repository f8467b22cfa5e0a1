package query

import (
	"errors"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical String()
	}{
		{`iphone`, `iphone`},
		{`iPhone`, `iphone`},
		{`"iPhone 15"`, `"iphone 15"`},
		{`"iphone"`, `iphone`},
		{`"  iphone   15 "`, `"iphone 15"`},
		{`Ｉｐｈｏｎｅ　１５`, `iphone 15`},
		{`＂Ｉｐｈｏｎｅ　１５＂`, `"iphone 15"`},
		{`“iphone 15”`, `"iphone 15"`},
		{`"iphone 15" (二手 OR 便宜) -壞掉`, `"iphone 15" (二手 OR 便宜) -壞掉`},
		{`"iphone 15"（二手 OR 便宜）－壞掉`, `"iphone 15" (二手 OR 便宜) -壞掉`},
		{`a b`, `a b`},
		{`a AND b`, `a b`},
		{`a OR b`, `a OR b`},
		{`a or b`, `a or b`},
		{`a and not b`, `a and not b`},
		{`a b OR c`, `a b OR c`},
		{`a (b OR c)`, `a (b OR c)`},
		{`a OR b c`, `a OR b c`},
		{`(a OR b) (c OR d)`, `(a OR b) (c OR d)`},
		{`((a b) c)`, `a b c`},
		{`(a OR (b OR c)) OR d`, `a OR b OR c OR d`},
		{`a -b`, `a -b`},
		{`a NOT b`, `a -b`},
		{`a -"b c"`, `a -"b c"`},
		{`a -(b OR c)`, `a -(b OR c)`},
		{`a -(b c)`, `a -(b c)`},
		{`a NOT NOT b`, `a b`},
		{`a --b`, `a b`},
		{`NOT -a`, `a`},
		{`-(-a -b)`, `-(-a -b)`},
		{`a-b`, `a-b`},
		{`"-a" b`, `"-a" b`},
		{`"a (b" c`, `"a (b" c`},
		{`"OR" x`, `or x`},
		{"i\u200bphone", `iphone`},
		{`(a OR -b) c`, `(a OR -b) c`},
		{`a b -c OR d -e`, `a b -c OR d -e`},
		{`a¨b`, `"a ̈b"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			again, err := Parse(e.String())
			if err != nil {
				t.Fatalf("Parse(%q) of the canonical form: %v", e.String(), err)
			}
			if !reflect.DeepEqual(again, e) {
				t.Errorf("canonical form %q parses to %#v, want %#v", e.String(), again, e)
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	got, err := Parse(`"iphone 15" (二手 OR 便宜) -壞掉`)
	if err != nil {
		t.Fatal(err)
	}
	want := And{Args: []Expr{
		Term{Text: "iphone 15"},
		Or{Args: []Expr{Term{Text: "二手"}, Term{Text: "便宜"}}},
		Not{Arg: Term{Text: "壞掉"}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in  string
		col int
		msg string
	}{
		{``, 1, "empty query"},
		{"  \t\u3000", 1, "empty query"},
		{`"iphone 15" (二手 OR 便宜`, 13, "unbalanced parenthesis: '(' is never closed"},
		{`(a (b OR c)`, 1, "unbalanced parenthesis: '(' is never closed"},
		{`a (`, 3, "unbalanced parenthesis: '(' is never closed"},
		{`"iphone 15" 二手 OR 便宜)`, 21, "unbalanced parenthesis: ')' has no matching '('"},
		{`)`, 1, "unbalanced parenthesis: ')' has no matching '('"},
		{`(a))`, 4, "unbalanced parenthesis: ')' has no matching '('"},
		{`a "iphone 15`, 3, "unterminated quote"},
		{`二手 "`, 4, "unterminated quote"},
		{`a ""`, 3, "empty phrase"},
		{`a "  "`, 3, "empty phrase"},
		{`a OR`, 3, "OR needs a term on both sides"},
		{`OR a`, 1, "OR needs a term on both sides"},
		{`a OR OR b`, 3, "OR needs a term on both sides"},
		{`(a OR) b`, 4, "OR needs a term on both sides"},
		{`a AND`, 3, "AND needs a term on both sides"},
		{`AND a`, 1, "AND needs a term on both sides"},
		{`a AND OR b`, 3, "AND needs a term on both sides"},
		{`a NOT`, 3, "NOT needs a term, phrase or group after it"},
		{`a NOT OR b`, 3, "NOT needs a term, phrase or group after it"},
		{`a (NOT)`, 4, "NOT needs a term, phrase or group after it"},
		{`a -`, 3, "'-' must be written directly before the term, phrase or group it negates"},
		{`a - b`, 3, "'-' must be written directly before the term, phrase or group it negates"},
		{`(a -)`, 4, "'-' must be written directly before the term, phrase or group it negates"},
		{`a -OR b`, 3, "'-' needs a term, phrase or group after it"},
		{`a ()`, 3, "empty group"},
		{`a （ ）`, 3, "empty group"},
		{`-foo`, 1, "query needs at least one term that is not negated"},
		{`NOT (a OR b)`, 1, "query needs at least one term that is not negated"},
		{`-a -b`, 1, "query needs at least one term that is not negated"},
		{`a OR -b`, 6, "this OR alternative needs at least one term that is not negated"},
		{`a OR (-b -c)`, 7, "this OR alternative needs at least one term that is not negated"},
		{`x OR -(a OR b)`, 6, "this OR alternative needs at least one term that is not negated"},
		{`-(a b)`, 1, "query needs at least one term that is not negated"},
		{"a \u200b", 3, "term has only invisible characters"},
		{"a \"\u200b\u00ad\"", 3, "empty phrase"},
		{`a ＂x＂`, 0, ""}, // valid: full-width quotes delimit a phrase
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := Parse(tt.in)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Parse(%q): %v", tt.in, err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, %v; want *SyntaxError", tt.in, e, err)
			}
			if se.Column != tt.col || se.Msg != tt.msg {
				t.Errorf("Parse(%q) error = %q (column %d), want %q at column %d", tt.in, se.Msg, se.Column, tt.msg, tt.col)
			}
			if err := Validate(tt.in); err == nil || err.Error() != se.Error() {
				t.Errorf("Validate(%q) = %v, want %v", tt.in, err, se)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	err := &SyntaxError{Column: 14, Msg: "unbalanced parenthesis"}
	if got, want := err.Error(), "unbalanced parenthesis at column 14"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseDepthLimit(t *testing.T) {
	q := ""
	for range maxDepth + 1 {
		q += "("
	}
	q += "a"
	for range maxDepth + 1 {
		q += ")"
	}
	var se *SyntaxError
	if _, err := Parse(q); !errors.As(err, &se) || se.Msg != "query nests too deeply" {
		t.Errorf("Parse of %d nested groups = %v, want nesting error", maxDepth+1, err)
	}
}
