package crawl

import (
	"fmt"
	"strings"

	"groupwatch/sources"
)

// DefaultMaxItemsPerPage bounds the posts read from one page. A real listing page shows tens;
// a page with tens of thousands is a site gone wrong or a trap, and every post read is held
// in memory, looked up in MySQL and published.
const DefaultMaxItemsPerPage = 5000

// bound applies the per-page bounds and notes what they cut, with the parser's own note, in
// the run's Note: a cut is recorded, never silent.
func (r *Runner) bound(res *Result, page *Page, parsed *sources.Page) {
	if page.Truncated {
		res.addNote(fmt.Sprintf("page %d was cut at the %d-byte fetch limit: what followed is missing", res.Pages, len(page.Body)))
	}
	if parsed.Note != "" {
		res.addNote(fmt.Sprintf("page %d: %s", res.Pages, parsed.Note))
	}
	limit := r.MaxItemsPerPage
	if limit <= 0 {
		limit = DefaultMaxItemsPerPage
	}
	if n := len(parsed.Posts); n > limit {
		parsed.Posts = parsed.Posts[:limit]
		res.addNote(fmt.Sprintf("page %d had %d items: read the first %d", res.Pages, n, limit))
	}
}

// addNote appends a line to the run's note.
func (res *Result) addNote(line string) {
	if res.Note == "" {
		res.Note = line
		return
	}
	if !strings.Contains(res.Note, line) {
		res.Note += "\n" + line
	}
}
