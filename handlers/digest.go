package handlers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"groupwatch/config"
)

// DigestMatch is one match a digest collects.
type DigestMatch struct {
	At         time.Time
	PostID     int64
	Source     string
	ExternalID string
	Author     string
	URL        string
	Text       string
	Terms      []string
}

// DigestMatches reads the matches a digest collects.
type DigestMatches interface {
	// MatchesBetween returns the rule's matches stored in [from, to), oldest first, with
	// their posts: a match stored at to belongs to the next period, and one saved again
	// (a redelivered or edited post) stays in the period it was first stored in. Matches
	// whose terms cannot be read come without them, with an error wrapping
	// ErrUnreadableTerms: they still count.
	MatchesBetween(ctx context.Context, ruleID int64, from, to time.Time) ([]DigestMatch, error)
}

// ErrUnreadableTerms says some matches came without their terms; the matches are there.
var ErrUnreadableTerms = errors.New("terms of some matches cannot be read")

// BuildDigest makes a digest rule's message for the matches of [from, to): a summary table
// (counts per term and per source) and the top posts (most terms matched, then newest), in
// the text every sink shows, and the trend the email chart draws. The caller stores it and
// sets AlertID, DedupKey and CreatedAt.
func BuildDigest(rule string, sinks []string, from, to time.Time, loc *time.Location, matches []DigestMatch, top int) Alert {
	terms, sources := map[string]int{}, map[string]int{}
	posts := map[int64]bool{}
	var times []time.Time
	for _, m := range matches {
		for _, t := range m.Terms {
			terms[t]++
		}
		sources[m.Source]++
		posts[m.PostID] = true
		times = append(times, m.At)
	}
	var b strings.Builder
	layout := "2006-01-02 15:04 MST"
	fmt.Fprintf(&b, "%d matches in %d posts from %d sources, %s to %s\n", len(matches), len(posts), len(sources),
		from.In(loc).Format(layout), to.In(loc).Format(layout))
	writeCounts(&b, "Terms", terms)
	writeCounts(&b, "Sources", sources)
	best := append([]DigestMatch(nil), matches...)
	sort.SliceStable(best, func(i, j int) bool {
		if len(best[i].Terms) != len(best[j].Terms) {
			return len(best[i].Terms) > len(best[j].Terms)
		}
		return best[i].At.After(best[j].At)
	})
	if len(best) > top {
		best = best[:top]
	}
	if len(best) > 0 {
		b.WriteString("\nTop posts:\n")
	}
	for i, m := range best {
		author := m.Author
		if author == "" {
			author = "(unknown)"
		}
		fmt.Fprintf(&b, "%d. [%s] %s: %s", i+1, m.Source, author, oneLine(m.Text, 140))
		if m.URL != "" {
			fmt.Fprintf(&b, " %s", m.URL)
		}
		b.WriteByte('\n')
	}
	a := Alert{
		V: Version, Rule: rule, Kind: config.RuleDigest, Sinks: sinks, Text: strings.TrimRight(b.String(), "\n"),
		Summary: fmt.Sprintf("%d matches in %d posts from %d sources", len(matches), len(posts), len(sources)),
		Trend:   trend(times, from, to, trendBuckets), ReceivedAt: to,
	}
	for t := range terms {
		a.Terms = append(a.Terms, t)
	}
	sort.Strings(a.Terms)
	if len(best) > 0 {
		a.PostID, a.Source, a.ExternalID, a.URL = best[0].PostID, best[0].Source, best[0].ExternalID, best[0].URL
	}
	return a
}

func writeCounts(b *strings.Builder, title string, counts map[string]int) {
	if len(counts) == 0 {
		return
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	fmt.Fprintf(b, "\n%s:\n", title)
	for _, k := range keys {
		fmt.Fprintf(b, "  %6d  %s\n", counts[k], k)
	}
}

// oneLine is text on one line, at most n characters.
func oneLine(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n]) + "…"
	}
	return text
}
