package sources

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The reference pages in ../shared/testdata/realworld are not part of this repository (their
// content must not be republished), and neither are the facts about them: the tests read the
// expected ids, authors, times and counts from the folder's README.md files at run time.

// realworldDir is the reference folder beside the repository, or a skip when it is absent.
func realworldDir(t *testing.T, kind string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "testdata", "realworld", kind)
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Skipf("no reference pages at %s (a checkout beside ../shared/testdata/realworld has them): %v", dir, err)
	}
	return dir
}

// readmeSection is what a README says about one file: its "## `file`" or "### `file`" section, with the
// white space collapsed so that facts wrapped over lines read as one line.
type readmeSection struct {
	file, text string
	rows       [][]string // the cells of the section's table rows that start with a number
}

func readREADME(t *testing.T, dir string) map[string]readmeSection {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]readmeSection{}
	for _, part := range regexp.MustCompile("\n#{2,3} `").Split(string(b), -1)[1:] {
		file, body, _ := strings.Cut(part, "`")
		s := readmeSection{file: file, text: strings.Join(strings.Fields(body), " ")}
		for _, line := range strings.Split(body, "\n") {
			cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
			if len(cells) > 1 && regexp.MustCompile(`^\s*\d+\s*$`).MatchString(cells[0]) {
				for i := range cells {
					cells[i] = strings.TrimSpace(cells[i])
				}
				s.rows = append(s.rows, cells)
			}
		}
		sections[file] = s
	}
	return sections
}

// fact is the first group of re in the section, or a failure saying the README changed.
func (s readmeSection) fact(t *testing.T, re string) []string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s.text)
	if m == nil {
		t.Fatalf("README section %s no longer says %s", s.file, re)
	}
	return m
}

// fetchedAt is the response's Date header the section quotes.
func (s readmeSection) fetchedAt(t *testing.T) time.Time {
	t.Helper()
	d, err := time.Parse(time.RFC1123, s.fact(t, "Date: ([^`]+)`")[1])
	if err != nil {
		t.Fatal(err)
	}
	return d.UTC()
}

// digits is the number in a count cell such as "3,788 Likes"; "" is 0.
func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n = n*10 + int(r-'0')
		}
	}
	return n
}
