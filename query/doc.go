// Package query parses the keyword queries of alert rules and compiles many
// rules into one Matcher that finds, in one pass over a post, every rule the
// post satisfies.
//
// # Language
//
// A query is made of terms (iphone), "quoted phrases" ("iphone 15") and
// parenthesised groups. Side by side they mean AND (an explicit AND keyword
// is accepted too); OR, in upper case only, means OR (a lower-case "or" is
// an ordinary term); NOT, or a '-' written directly before a term, phrase or
// group, negates it. NOT binds tighter than AND, which binds tighter than OR:
//
//	"iphone 15" (二手 OR 便宜) -壞掉
//
// Full-width parentheses （）, the full-width minus － and the quotes ＂ “ ”
// work like their ASCII forms, because that is what a CJK input method
// types; any quote closes a phrase. There is no escape character: a phrase
// cannot contain a quote. A '-' followed by a space is an error rather than
// a negation of the next word, and a '-' inside a word (wi-fi) is part of it.
//
// Terms and phrases are normalized with textnorm.Normalize, so "iPhone 15"
// and "Ｉｐｈｏｎｅ　１５" are the same phrase. A query must be able to match
// only through something it looks for: every way of satisfying it must need
// at least one non-negated term ("-foo" or "a OR -b" are rejected), which is
// what lets the Matcher look at a rule only when one of its terms occurs.
//
// # Matching
//
// Text is matched in its textnorm.Normalize form. An edge of a term that is a
// word character (a Unicode letter, combining mark, number or underscore
// that is not CJK) only matches at a word boundary, that is next to the end
// of the text or a rune that is not a word character, so "iphone 15" does
// not match "iphone 150" or "myiphone 15" but 15 matches "iphone 15!". An edge that is CJK (Han, kana, Hangul) or
// punctuation matches anywhere, so 二手 matches 二手車. A CJK rune next to a
// Latin edge is a boundary: iphone二手 contains the term iphone.
//
// Unless a rule is Exact, its terms and the text are also folded with
// textnorm.FoldVariants, so a term matches its Chinese characters in
// Traditional, Simplified and regional forms: 相機 matches 相机, 這裡 matches
// 这里 and 這裏. Words that differ by vocabulary (软件, 軟體) do not match each
// other. Folding keeps every byte offset, so boundaries are the same in both
// forms.
package query
