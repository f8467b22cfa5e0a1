package query

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

type occurrence struct {
	pattern int32
	end     int
}

// TestAutomatonFindsEveryOccurrence compares scan with a brute-force search
// on random patterns and texts over a tiny alphabet, where patterns overlap
// and nest constantly, with every share of the states dense.
func TestAutomatonFindsEveryOccurrence(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "c", "二", "手"}
	randomString := func(maxLen int) string {
		var b strings.Builder
		for range 1 + rng.IntN(maxLen) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := range 200 {
		var patterns []string
		for range 1 + rng.IntN(20) {
			if p := randomString(5); !slices.Contains(patterns, p) {
				patterns = append(patterns, p)
			}
		}
		for _, budget := range []int{0, 500, 4000, 1 << 20} {
			a, err := newAutomaton(patterns, budget)
			if err != nil {
				t.Fatal(err)
			}
			for range 10 {
				text := randomString(30)
				var got []occurrence
				a.scan(text, func(p int32, end int) { got = append(got, occurrence{p, end}) })
				want := bruteForce(patterns, text)
				slices.SortFunc(got, compareOccurrences)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("round %d, %d dense states: patterns %q text %q\ngot  %v\nwant %v", round, a.dense, patterns, text, got, want)
				}
			}
		}
	}
}

func bruteForce(patterns []string, text string) []occurrence {
	var occ []occurrence
	for id, p := range patterns {
		for i := 0; i+len(p) <= len(text); i++ {
			if text[i:i+len(p)] == p {
				occ = append(occ, occurrence{int32(id), i + len(p)})
			}
		}
	}
	slices.SortFunc(occ, compareOccurrences)
	return occ
}

func compareOccurrences(x, y occurrence) int {
	if x.end != y.end {
		return x.end - y.end
	}
	return int(x.pattern - y.pattern)
}

func TestAutomatonStates(t *testing.T) {
	a, err := newAutomaton([]string{"he", "she", "his", "hers"}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	// root, h, s, he, hi, sh, her, his, she, hers
	if got := len(a.pattern); got != 10 {
		t.Errorf("states = %d, want 10", got)
	}
	if got := a.dense; got != 10 {
		t.Errorf("dense states = %d, want all 10", got)
	}
}
