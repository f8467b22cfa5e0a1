package pipeline

import (
	"slices"
	"strings"

	"groupwatch/query"
)

// foldedOnly returns, for each of terms that the normalized post holds only as Chinese
// variants (the rule's 相機 as the post's 相机), the post's spellings of it; nil when every
// term is there as written, as it always is for an exact rule. `pipeline rules test` shows
// these so that nobody wonders why a rule matched a post that does not contain its words.
func foldedOnly(normalized string, terms []string, exact bool) map[string][]string {
	if exact {
		return nil
	}
	var out map[string][]string
	for _, t := range terms {
		sp := query.Spellings(normalized, t, false)
		if len(sp) == 0 || slices.Contains(sp, t) {
			continue
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[t] = sp
	}
	return out
}

// TermsShown is the terms of a hit as `pipeline rules test` prints them: a term matched only
// through folding is followed by the post's spelling, "相機 ~ 相机".
func (h RuleTestHit) TermsShown() []string {
	shown := make([]string, len(h.Terms))
	for i, t := range h.Terms {
		shown[i] = t
		if sp, ok := h.Variants[t]; ok {
			shown[i] = t + " ~ " + strings.Join(sp, "/")
		}
	}
	return shown
}
