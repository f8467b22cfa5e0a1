package sources

import (
	"fmt"
	"regexp"
)

// commentedMarkup matches markup that www.facebook.com sends inside an HTML comment within a
// tag (<code><!-- <div …>…</div> --></code>) for script to fill in once the page loads.
// It is undone on the raw body rather than on the parsed comment, whose text the HTML
// parser has already unescaped (&quot; inside attributes would become " and break them).
// Other comments are left alone: they are not markup, and their text must not become the
// page's text.
func commentedMarkup(tag string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`(?s)(<` + regexp.QuoteMeta(tag) + `\b[^>]*>\s*)<!--(.*?)-->`)
	if err != nil {
		return nil, fmt.Errorf("CommentedMarkupTag %q: %w", tag, err)
	}
	return re, nil
}

// unwrapCommentedMarkup takes the comment marks off markup commented out inside tags.
func unwrapCommentedMarkup(body string, re *regexp.Regexp) string {
	return re.ReplaceAllString(body, "$1$2")
}
