package main

import (
	"strings"
	"testing"
)

func TestSilenceFlagsNameTheFieldAndTheLimit(t *testing.T) {
	tests := []struct {
		key, reason, want string
	}{
		{"", "launch day", ""},
		{strings.Repeat("k", 191), strings.Repeat("理", 255), ""},
		{"", strings.Repeat("r", 5000), "--reason: 5000 characters, at most 255"},
		{strings.Repeat("k", 192), "", "--key: 192 characters, at most 191"},
		{"", "bad \xff", "must be valid UTF-8"},
	}
	for _, tt := range tests {
		err := checkSilenceFlags(tt.key, tt.reason)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("checkSilenceFlags(%d chars, %d chars) = %v, want %q", len(tt.key), len(tt.reason), err, tt.want)
		}
	}
}
