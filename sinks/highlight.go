package sinks

// Highlighted is a piece of a post's text; Match marks an occurrence of a matched term.
type Highlighted struct {
	Text  string
	Match bool
}

// Highlight cuts text into pieces so that every occurrence of a term is its own piece,
// found the way the email and Slack sinks find them (highlightTerms): the console shows an
// alert's post with the same marks its message had.
func Highlight(text string, terms []string, fold bool) []Highlighted {
	segs := highlightTerms(text, terms, fold)
	out := make([]Highlighted, len(segs))
	for i, s := range segs {
		out[i] = Highlighted{Text: s.Text, Match: s.Match}
	}
	return out
}
