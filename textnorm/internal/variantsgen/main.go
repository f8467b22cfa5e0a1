// Command variantsgen writes textnorm's Chinese variant table (variants_table.go) from
// OpenCC's character dictionaries, kept with their licence in opencc/. Run it through
// `go generate ./textnorm`.
//
// Every character that OpenCC converts to another single character, from Traditional to
// Simplified (TSCharacters), from Simplified to Traditional (STCharacters), or between the
// OpenCC standard and the Hong Kong and Taiwan forms (HKVariants, TWVariants and their
// reverses), is joined with it in one class; the table folds every member of a class to one
// representative. Only single characters are used: OpenCC's phrase tables (软件 → 軟體) are
// vocabulary, not script, and stay out.
//
// The representative of a class is chosen so that the result reads as Simplified Chinese:
// among the members that OpenCC's Traditional→Simplified table leaves as they are (they are
// not keys of TSCharacters, or map to themselves first), the one that is most often the first
// choice of TSCharacters for the class's members; ties go to the lowest code point, and a
// class without such a member (none is known) takes its lowest code point.
//
// Folding must keep byte offsets, so only Han characters of the Basic Multilingual Plane
// (three bytes in UTF-8) that are their own NFKC form take part: a character outside it (a
// few rare ones of Extension B) keeps its own form, and so do CJK compatibility ideographs,
// which normalization has already replaced.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// sources are the dictionaries read, all in OpenCC's format: a key, a tab, and its
// conversions separated by spaces, the preferred one first.
var sources = []string{
	"TSCharacters.txt", "STCharacters.txt",
	"HKVariants.txt", "HKVariantsRev.txt", "TWVariants.txt", "TWVariantsRev.txt",
}

func main() {
	dict := flag.String("dict", "internal/variantsgen/opencc", "folder holding OpenCC's dictionaries")
	out := flag.String("o", "variants_table.go", "file to write")
	flag.Parse()
	fold, err := build(*dict)
	if err != nil {
		log.Fatal(err)
	}
	src, err := render(fold)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatalf("write %s: %v", *out, err)
	}
}

// eligible tells whether r can take part in folding without moving byte offsets.
func eligible(r rune) bool {
	return utf8.RuneLen(r) == 3 && unicode.Is(unicode.Han, r) && norm.NFKC.String(string(r)) == string(r)
}

// build reads the dictionaries and returns the fold of every character that changes.
func build(dir string) (map[rune]rune, error) {
	parent := map[rune]rune{}
	var find func(r rune) rune
	find = func(r rune) rune {
		p, ok := parent[r]
		if !ok || p == r {
			parent[r] = r
			return r
		}
		root := find(p)
		parent[r] = root
		return root
	}
	union := func(a, b rune) {
		if ra, rb := find(a), find(b); ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	tsFirst := map[rune]rune{} // TSCharacters' first choice, for picking representatives
	for _, name := range sources {
		err := readDict(filepath.Join(dir, name), func(key rune, values []rune) {
			if name == "TSCharacters.txt" && len(values) > 0 {
				tsFirst[key] = values[0]
			}
			if !eligible(key) {
				return
			}
			find(key)
			for _, v := range values {
				if eligible(v) {
					union(key, v)
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	classes := map[rune][]rune{}
	for r := range parent {
		root := find(r)
		classes[root] = append(classes[root], r)
	}
	fold := map[rune]rune{}
	for _, members := range classes {
		if len(members) < 2 {
			continue
		}
		rep := representative(members, tsFirst)
		for _, m := range members {
			if m != rep {
				fold[m] = rep
			}
		}
	}
	return fold, nil
}

// representative picks a class's folded form (see the package comment).
func representative(members []rune, tsFirst map[rune]rune) rune {
	slices.Sort(members)
	votes := map[rune]int{}
	for _, m := range members {
		if s, ok := tsFirst[m]; ok {
			votes[s]++
		}
	}
	best, bestVotes := rune(-1), -1
	for _, m := range members {
		if s, ok := tsFirst[m]; ok && s != m {
			continue // OpenCC turns it into something else: a Traditional form
		}
		if votes[m] > bestVotes {
			best, bestVotes = m, votes[m]
		}
	}
	if best < 0 {
		return members[0]
	}
	return best
}

// readDict calls fn for every line of an OpenCC dictionary whose key is one character, with
// the values that are one character.
func readDict(path string, fn func(key rune, values []rune)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read dictionary: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		key, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return fmt.Errorf("read dictionary %s line %d: no tab", path, line)
		}
		if utf8.RuneCountInString(key) != 1 {
			continue
		}
		var values []rune
		for _, v := range strings.Fields(rest) {
			if utf8.RuneCountInString(v) == 1 {
				r, _ := utf8.DecodeRuneInString(v)
				values = append(values, r)
			}
		}
		k, _ := utf8.DecodeRuneInString(key)
		fn(k, values)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read dictionary %s: %w", path, err)
	}
	return nil
}

// render writes the table in a form small enough to stay in the first-level cache next to
// the matcher's automaton (about 10 KB): a bitmap of the characters that fold, from the
// first to the last, one bit each; the number of bits set before each 64-bit word; and the
// folded forms in code point order. Looking a character up costs a bit test, and for one that
// folds a population count and two more reads.
func render(fold map[rune]rune) ([]byte, error) {
	from := make([]rune, 0, len(fold))
	for r := range fold {
		from = append(from, r)
	}
	slices.Sort(from)
	// The lead bytes of the folding characters bound the fast scan. Between E1 and EC a
	// three-byte sequence is never overlong nor a surrogate, which the scan then need not check.
	leadMin, leadMax := 0xE0|from[0]>>12, 0xE0|from[len(from)-1]>>12
	if leadMin < 0xE1 || leadMax > 0xEC {
		return nil, fmt.Errorf("render table: lead bytes %X..%X outside E1..EC", leadMin, leadMax)
	}
	base := from[0] &^ 63
	words := int(from[len(from)-1]-base)/64 + 1
	bits := make([]uint64, words)
	for _, r := range from {
		o := r - base
		bits[o/64] |= 1 << (o % 64)
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by variantsgen from OpenCC's dictionaries; DO NOT EDIT.\n\n")
	b.WriteString("package textnorm\n\n")
	fmt.Fprintf(&b, "// variantCount is the number of characters that fold to another (%d classes of variants).\n", countTargets(fold))
	fmt.Fprintf(&b, "const variantCount = %d\n\n", len(fold))
	b.WriteString("// variantLeadMin and variantLeadMax bound the first UTF-8 byte of a character that folds.\n")
	fmt.Fprintf(&b, "const variantLeadMin, variantLeadMax = 0x%X, 0x%X\n\n", leadMin, leadMax)
	b.WriteString("// variantBase is the first character of variantBits.\n")
	fmt.Fprintf(&b, "const variantBase = 0x%04X\n\n", base)
	b.WriteString("// variantBits has bit r-variantBase set for each character r that folds to another.\n")
	fmt.Fprintf(&b, "var variantBits = [%d]uint64{\n", words)
	for i, w := range bits {
		fmt.Fprintf(&b, "0x%016x,", w)
		if i%4 == 3 {
			b.WriteString("\n")
		}
	}
	b.WriteString("\n}\n\n")
	b.WriteString("// variantRank is the number of bits set in variantBits before each word: the index in\n// variantTo of the word's first character.\n")
	fmt.Fprintf(&b, "var variantRank = [%d]uint16{\n", words)
	n := 0
	for i, w := range bits {
		fmt.Fprintf(&b, "%d,", n)
		n += popcount(w)
		if i%16 == 15 {
			b.WriteString("\n")
		}
	}
	b.WriteString("\n}\n\n")
	b.WriteString("// variantTo holds the folded form of each character of variantBits, in code point order.\n")
	fmt.Fprintf(&b, "var variantTo = [%d]uint16{\n", len(from))
	for _, r := range from {
		fmt.Fprintf(&b, "0x%04x, // %c → %c\n", fold[r], r, fold[r])
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

func popcount(w uint64) int {
	n := 0
	for ; w != 0; w &= w - 1 {
		n++
	}
	return n
}

func countTargets(fold map[rune]rune) int {
	seen := map[rune]bool{}
	for _, to := range fold {
		seen[to] = true
	}
	return len(seen)
}
