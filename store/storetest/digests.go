package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"groupwatch/handlers"
)

// DigestSource is a store a digest reads: it saves posts and matches and reads a period's
// matches back.
type DigestSource interface {
	handlers.PostStore
	handlers.MatchStore
	handlers.DigestMatches
}

// DigestMatches holds an implementation of handlers.DigestMatches to its contract: a
// period [from, to) holds the rule's matches stored from its start up to, not including,
// its end, with their posts, oldest first; other rules' matches are not in it, and a match
// saved again stays in the period it was first stored in. The store stamps a match with
// the suite's clock.
func DigestMatches(t *testing.T, newStore func(t *testing.T, c *Clock) DigestSource) {
	ctx := context.Background()
	h := time.Hour
	t.Run("period bounded on both sides", func(t *testing.T) {
		c := NewClock()
		s := newStore(t, c)
		post := func(id string) int64 {
			text := "acme refund " + id
			saved, err := s.SavePost(ctx, handlers.PostRecord{Source: "fb:g", ExternalID: id, Author: "陳大文",
				URL: "https://example.com/" + id, Text: text, ContentHash: handlers.ContentHash(text), MessageID: "m" + id})
			check(t, err)
			return saved.ID
		}
		before, first, second, atEnd := post("before"), post("first"), post("second"), post("at-end")
		check(t, s.SaveMatch(ctx, 1, before, []string{"acme"})) // T0: before the period
		c.Add(h)
		check(t, s.SaveMatch(ctx, 1, first, []string{"acme"})) // T0+1h: the period's start
		check(t, s.SaveMatch(ctx, 2, first, []string{"acme"})) // another rule
		c.Add(30 * time.Minute)
		check(t, s.SaveMatch(ctx, 1, second, []string{"acme", "refund"}))
		c.Add(30 * time.Minute)
		check(t, s.SaveMatch(ctx, 1, atEnd, []string{"acme"}))  // T0+2h: the next period
		check(t, s.SaveMatch(ctx, 1, before, []string{"acme"})) // saved again: stays at T0

		got, err := s.MatchesBetween(ctx, 1, T0.Add(h), T0.Add(2*h))
		check(t, err)
		if want := fmt.Sprint([]int64{first, second}); fmt.Sprint(postIDs(got)) != want {
			t.Fatalf("matches of [T0+1h, T0+2h): posts %v, want %s (from included, to excluded, rule 1 only)", postIDs(got), want)
		}
		m := got[1]
		if !m.At.Equal(T0.Add(90*time.Minute)) || m.Source != "fb:g" || m.ExternalID != "second" || m.Author != "陳大文" ||
			m.URL != "https://example.com/second" || m.Text != "acme refund second" || fmt.Sprint(m.Terms) != "[acme refund]" {
			t.Fatalf("second match read back as %+v", m)
		}
		got, err = s.MatchesBetween(ctx, 1, T0.Add(2*h), T0.Add(3*h))
		check(t, err)
		if want := fmt.Sprint([]int64{atEnd}); fmt.Sprint(postIDs(got)) != want {
			t.Fatalf("matches of [T0+2h, T0+3h): posts %v, want %s", postIDs(got), want)
		}
	})
}

func postIDs(ms []handlers.DigestMatch) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.PostID
	}
	return out
}
