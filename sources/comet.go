package sources

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// parseComet reads a www.facebook.com ("Comet") page: its stories are Relay JSON in
// data-sjs scripts, never read from the DOM, whose class names change weekly.
func (f *FacebookGroup) parseComet(r Response, base *url.URL) (Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body))
	if err != nil {
		return Page{}, fmt.Errorf("cannot parse HTML: %w", err)
	}
	if base == nil {
		base = parseBase(desktopFacebookBase)
	}
	sc := readCometScripts(doc)
	feed := newCometFeed(base)
	for _, p := range sc.payloads {
		feed.read(p)
	}
	page := Page{Markup: MarkupComet, Posts: feed.ordered(), NextCursor: feed.cursor}
	if len(page.Posts) > 0 || feed.pageInfo {
		page.Verdict = VerdictOK
		var note string
		page.NextQuery, note = declaredNextQuery(r.Body, sc, base)
		if page.NextCursor != "" && page.NextQuery == nil {
			page.Note = note
		}
		return page, nil
	}
	page.Verdict = f.cometVerdict(doc, sc)
	if page.Verdict == VerdictUnexpected {
		page.Body = keptBody(r.Body)
	}
	return page, nil
}

// cometVerdict classifies a Comet page without stories or a feed by what it says (its
// title, headings, text, and the strings of its data): checkpoint, blocked, consent, not
// found or login phrases, in that order; then a page holding a login form (the
// useCometLogInFormQuery's login_data, an email or password field) is a login wall. A
// signed-out group page carries the login form too, but it has its feed and never gets here.
func (f *FacebookGroup) cometVerdict(doc *goquery.Document, sc cometScripts) Verdict {
	title := textOf(doc.Find("title").First())
	headings := textOf(doc.FindMatcher(f.m.Headings))
	doc.Find("script, style").Remove()
	places := []string{title, headings, textOf(doc.Find("body")), payloadStrings(sc.payloads)}
	if v := f.verdictFromPhrases(places); v != "" {
		return v
	}
	if doc.Find(`input[name="email"], input[name="pass"]`).Length() > 0 || hasLoginData(sc.payloads) {
		return VerdictLoginWall
	}
	return VerdictUnexpected
}

// verdictFromPhrases is the first kind of page whose phrases one of the places says, the
// places taken in order; "" when none does.
func (f *FacebookGroup) verdictFromPhrases(places []string) Verdict {
	kinds := []struct {
		v       Verdict
		phrases []string
	}{
		{VerdictCheckpoint, f.sel.CheckpointPhrases},
		{VerdictBlocked, f.sel.BlockedPhrases},
		{VerdictConsent, f.sel.ConsentPhrases},
		{VerdictNotFound, f.sel.NotFoundPhrases},
		{VerdictLoginWall, f.sel.LoginPhrases},
	}
	for _, place := range places {
		place = normalizePhrase(place)
		for _, k := range kinds {
			for _, p := range k.phrases {
				if strings.Contains(place, p) {
					return k.v
				}
			}
		}
	}
	return ""
}

// hasLoginData: a payload is the login form's query result ({"data": {"login_data": …}}).
func hasLoginData(payloads []relayPayload) bool {
	for _, p := range payloads {
		if data, ok := p.data.(map[string]any); ok {
			if _, ok := data["login_data"]; ok {
				return true
			}
		}
	}
	return false
}

// parseGraphQL reads an /api/graphql/ answer: newline-delimited results, the first with the
// query's data, the $stream$ and $defer$ ones joined to it by label and path. Its NextQuery
// is nil: the fetcher keeps the first page's.
func (f *FacebookGroup) parseGraphQL(r Response, base *url.URL) (Page, error) {
	a := readGraphQLAnswer(r.Body)
	if len(a.payloads) == 0 && a.broken {
		return Page{}, fmt.Errorf("%w: an /api/graphql/ answer whose JSON is broken", ErrNotHTML)
	}
	if base == nil {
		base = parseBase(desktopFacebookBase)
	}
	feed := newCometFeed(base)
	for _, p := range a.payloads {
		feed.read(p)
	}
	page := Page{Markup: MarkupGraphQL, Posts: feed.ordered(), NextCursor: feed.cursor}
	if len(page.Posts) > 0 || feed.pageInfo {
		page.Verdict = VerdictOK
		if a.broken {
			page.Note = "the answer was cut short: read up to its first broken line"
			page.CutShort = true
		}
		return page, nil
	}
	if v := f.verdictFromPhrases([]string{payloadStrings(a.payloads)}); v != "" {
		page.Verdict = v
		return page, nil
	}
	if msg, ok := answerError(a.payloads); ok {
		// Facebook answers a query it refuses (rate limits, a stale token, a session it
		// distrusts) with errors and no data.
		page.Verdict = VerdictBlocked
		page.Note = "the GraphQL answer is an error: " + msg
		return page, nil
	}
	page.Verdict = VerdictUnexpected
	page.Body = keptBody(r.Body)
	return page, nil
}

// answerError is the first error message of an answer that has errors and no data. Errors
// beside data are errors of single fields and say nothing of the answer.
func answerError(payloads []relayPayload) (string, bool) {
	if len(payloads) == 0 || len(payloads[0].errors) == 0 {
		return "", false
	}
	for _, p := range payloads {
		if p.data != nil {
			return "", false
		}
	}
	first, _ := payloads[0].errors[0].(map[string]any)
	msg := strings.TrimSpace(jsonString(first, "message"))
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	if msg == "" {
		msg = "(no message)"
	}
	return msg, true
}
