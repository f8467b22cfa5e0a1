package sources

import (
	"math"
	"strconv"
	"strings"
)

// ParseCount reads the first number in a displayed count: "18 Likes", "1 share", "1,334",
// "3,788 Likes", "1.2K", "2.5M comments", "44\u00a0comments". A comma or point followed by
// exactly three digits separates thousands; before K, M or B it is a decimal point. Text
// without a number (a missing count, "discuss") is 0.
func ParseCount(text string) int {
	start := strings.IndexFunc(text, isDigit)
	if start < 0 {
		return 0
	}
	end := start
	for end < len(text) && (isDigitByte(text[end]) || text[end] == ',' || text[end] == '.') {
		end++
	}
	number := strings.TrimRight(text[start:end], ",.")
	mult := suffixMultiplier(text[start+len(number):])
	if mult == 1 {
		return int(math.Min(wholeNumber(number), math.MaxInt32))
	}
	f, err := strconv.ParseFloat(strings.Replace(number, ",", ".", 1), 64)
	if err != nil {
		f = wholeNumber(number)
	}
	return int(math.Min(math.Round(f*mult), math.MaxInt32))
}

// wholeNumber reads digits with thousands separators and stops at a decimal separator.
func wholeNumber(s string) float64 {
	var n float64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigitByte(c) {
			n = n*10 + float64(c-'0')
			continue
		}
		if len(s)-i-1 < 3 || !allDigits(s[i+1:i+4]) || (i+4 < len(s) && isDigitByte(s[i+4])) {
			break // a decimal separator: the rest is a fraction of a count, so dropped
		}
	}
	return n
}

// suffixMultiplier reads a K, M or B right after a number (or after one space), as long as
// it does not start a word such as "Likes" or "members".
func suffixMultiplier(rest string) float64 {
	rest = strings.TrimPrefix(rest, " ")
	if rest == "" {
		return 1
	}
	if len(rest) > 1 && isLetter(rest[1]) {
		return 1
	}
	switch rest[0] {
	case 'k', 'K':
		return 1e3
	case 'm', 'M':
		return 1e6
	case 'b', 'B':
		return 1e9
	}
	return 1
}

func isDigit(r rune) bool     { return r >= '0' && r <= '9' }
func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }
func isLetter(c byte) bool    { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func allDigits(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !isDigit(r) }) < 0
}
