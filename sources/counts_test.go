package sources

import "testing"

func TestParseCount(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"Like", 0},
		{"discuss", 0},
		{"1", 1},
		{"18 Likes", 18},
		{"1 Like", 1},
		{"1 share", 1},
		{"4 shares", 4},
		{"1,334", 1334},
		{"3,788 Likes", 3788},
		{"1,234,567 views", 1234567},
		{"1.2K", 1200},
		{"1.2K Likes", 1200},
		{"12K", 12000},
		{"2.5M comments", 2500000},
		{"1,2K", 1200},
		{"1.2 K", 1200},
		{"44\u00a0comments", 44},
		{"151 points", 151},
		{"Lucy and 1,203 others", 1203},
		{"2 members", 2},
		{"1.5", 1},
		{"99999999999999999999", 2147483647},
	}
	for _, tt := range tests {
		if got := ParseCount(tt.text); got != tt.want {
			t.Errorf("ParseCount(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}
