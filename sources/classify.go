package sources

import (
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// verdictFromURL classifies by the final URL alone: a redirect to a login, checkpoint or
// consent page says all there is to say. "" when the URL says nothing.
func (f *FacebookGroup) verdictFromURL(u *url.URL) Verdict {
	if u == nil {
		return ""
	}
	path := strings.ToLower(u.Path)
	hasPrefix := func(prefixes []string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(path, p) {
				return true
			}
		}
		return false
	}
	switch {
	case hasPrefix(f.sel.CheckpointPaths):
		return VerdictCheckpoint
	case hasPrefix(f.sel.ConsentPaths):
		return VerdictConsent
	case hasPrefix(f.sel.LoginPaths):
		return VerdictLoginWall
	}
	return ""
}

// verdictFromContent classifies a page that has no posts and no next link, by its title,
// then its headings, then its text: the first that names a known kind of page decides, in
// the order checkpoint, blocked, consent, not found, login. A page with only a login form
// is a login wall. Anything else is unexpected.
func (f *FacebookGroup) verdictFromContent(doc *goquery.Document) Verdict {
	if v := f.verdictFromPhrases([]string{
		textOf(doc.Find("title").First()),
		textOf(doc.FindMatcher(f.m.Headings)),
		textOf(doc.Find("body")),
	}); v != "" {
		return v
	}
	var formVerdict Verdict
	doc.Find("form[action]").EachWithBreak(func(_ int, form *goquery.Selection) bool {
		if u, err := url.Parse(form.AttrOr("action", "")); err == nil {
			formVerdict = f.verdictFromURL(&url.URL{Path: u.Path})
		}
		return formVerdict == ""
	})
	if formVerdict != "" && formVerdict != VerdictLoginWall {
		return formVerdict
	}
	if formVerdict == VerdictLoginWall || doc.FindMatcher(f.m.LoginForm).Length() > 0 {
		return VerdictLoginWall
	}
	return VerdictUnexpected
}

// normalizePhrase lower-cases and straightens typographic apostrophes, so that "You’re
// Temporarily Blocked" reads as "you're temporarily blocked".
func normalizePhrase(s string) string {
	return strings.ToLower(strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u02bc", "'", "\u00a0", " ").Replace(s))
}
