package query

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"groupwatch/textnorm"
)

// referenceMatch is the obviously correct, slow matcher the automaton is
// checked against: every rule is evaluated, every term searched with
// strings.Index at every occurrence.
func referenceMatch(rules []Rule, text string) []Result {
	var results []Result
	for _, r := range rules {
		found := func(term string) bool { return referenceFind(text, term, r.Exact) }
		if !referenceEval(r.Expr, found) {
			continue
		}
		var terms []string
		referenceCollect(r.Expr, true, found, &terms)
		slices.Sort(terms)
		results = append(results, Result{Rule: r.Name, Terms: slices.Compact(terms)})
	}
	return results
}

// referenceFind looks for term in text; unless exact, both are folded
// first, which keeps their lengths and word boundaries.
func referenceFind(text, term string, exact bool) bool {
	if !exact {
		text, term = textnorm.FoldVariants(text), textnorm.FoldVariants(term)
	}
	e := termEdges(term)
	for off := 0; ; {
		i := strings.Index(text[off:], term)
		if i < 0 {
			return false
		}
		if e.fits(text, off+i, off+i+len(term)) {
			return true
		}
		off += i + 1
	}
}

func referenceEval(e Expr, found func(string) bool) bool {
	switch x := e.(type) {
	case Term:
		return found(x.Text)
	case Not:
		return !referenceEval(x.Arg, found)
	case And:
		for _, a := range x.Args {
			if !referenceEval(a, found) {
				return false
			}
		}
		return true
	case Or:
		for _, a := range x.Args {
			if referenceEval(a, found) {
				return true
			}
		}
	}
	return false
}

// referenceCollect gathers the positive terms of e, which evaluates to want,
// from the operands that agree with it.
func referenceCollect(e Expr, want bool, found func(string) bool, terms *[]string) {
	switch x := e.(type) {
	case Term:
		if want {
			*terms = append(*terms, x.Text)
		}
	case Not:
		referenceCollect(x.Arg, !want, found, terms)
	case And:
		for _, a := range x.Args {
			if referenceEval(a, found) == want {
				referenceCollect(a, want, found, terms)
			}
		}
	case Or:
		for _, a := range x.Args {
			if referenceEval(a, found) == want {
				referenceCollect(a, want, found, terms)
			}
		}
	}
}

// referenceAtoms are chosen to collide: prefixes of each other, Latin next
// to CJK, digits that extend numbers, accents and underscores at edges.
func referenceAtoms() []string {
	return []string{
		"a", "ab", "b", "ba", "15", "150", "iphone", "pro", "é", "café", "x_y", "c++",
		"二", "二手", "手車", "車", "壞", "コーヒー", "커피",
		// Chinese variants: Traditional, Simplified and regional forms.
		"機", "机", "相機", "相机", "裡", "里", "裏", "着", "著", "车",
	}
}

func randomTerm(rng *rand.Rand) string {
	atoms := referenceAtoms()
	t := atoms[rng.IntN(len(atoms))]
	if rng.IntN(3) == 0 {
		sep := []string{"", " "}[rng.IntN(2)]
		t += sep + atoms[rng.IntN(len(atoms))]
	}
	return t
}

func randomExpr(rng *rand.Rand, depth int) Expr {
	if depth == 0 || rng.IntN(3) == 0 {
		return Term{Text: randomTerm(rng)}
	}
	switch rng.IntN(4) {
	case 0:
		return Not{Arg: randomExpr(rng, depth-1)}
	case 1, 2:
		args := make([]Expr, 2+rng.IntN(2))
		for i := range args {
			args[i] = randomExpr(rng, depth-1)
		}
		return And{Args: args}
	default:
		args := make([]Expr, 2+rng.IntN(2))
		for i := range args {
			args[i] = randomExpr(rng, depth-1)
		}
		return Or{Args: args}
	}
}

func randomText(rng *rand.Rand) string {
	atoms := referenceAtoms()
	seps := []string{" ", "", "", "_", "!", "x", "é", "二", "1"}
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteString(atoms[rng.IntN(len(atoms))])
		b.WriteString(seps[rng.IntN(len(seps))])
	}
	return textnorm.Normalize(b.String())
}

func TestMatchAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	matched := 0
	for round := range 300 {
		var rules []Rule
		for len(rules) < 1+rng.IntN(30) {
			e, err := Parse(randomExpr(rng, 3).String())
			if err != nil {
				continue // not anchored; Parse's tests cover that
			}
			rules = append(rules, Rule{Name: fmt.Sprintf("r%d", len(rules)), Expr: e, Exact: rng.IntN(3) == 0})
		}
		// The default budget makes every state dense here; the small ones
		// force the sparse states and their fallback into use.
		var matchers []*Matcher
		for _, budget := range []int{denseBytes, 0, 2000} {
			m, err := compile(rules, budget)
			if err != nil {
				t.Fatalf("round %d: compile: %v", round, err)
			}
			matchers = append(matchers, m)
		}
		for range 30 {
			text := randomText(rng)
			want := referenceMatch(rules, text)
			for _, m := range matchers {
				if got := m.Match(text); !reflect.DeepEqual(got, want) {
					t.Fatalf("round %d, %d dense states: text %q\nrules %v\ngot  %v\nwant %v", round, m.ac.dense, text, rules, got, want)
				}
			}
			matched += len(want)
		}
	}
	// Guard against the generators drifting into texts nothing matches.
	if matched < 1000 {
		t.Errorf("only %d rule matches in all rounds; the comparison proves little", matched)
	}
	t.Logf("%d rule matches compared", matched)
}
