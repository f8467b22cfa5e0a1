package storetest

import (
	"context"
	"testing"

	"groupwatch/handlers"
)

// PostStore holds an implementation of handlers.PostStore to its contract: a post is one
// row per (source, external id) whose id never changes; its first message is new (again
// when redelivered), the same text under another message is repeated, new text is an edit
// (again when that message is redelivered).
func PostStore(t *testing.T, newStore func(t *testing.T) handlers.PostStore) {
	ctx := context.Background()
	rec := func(source, id, text, msg string) handlers.PostRecord {
		return handlers.PostRecord{Source: source, ExternalID: id, Author: "陳大文", Text: text,
			ContentHash: handlers.ContentHash(text), Raw: []byte(`{"x":1}`), MessageID: msg}
	}
	t.Run("outcomes", func(t *testing.T) {
		s := newStore(t)
		steps := []struct {
			name string
			rec  handlers.PostRecord
			want handlers.Outcome
		}{
			{"first sight", rec("fb:g", "1", "hello", "m1"), handlers.OutcomeNew},
			{"same message again (redelivery)", rec("fb:g", "1", "hello", "m1"), handlers.OutcomeNew},
			{"same text, another message", rec("fb:g", "1", "hello", "m2"), handlers.OutcomeRepeated},
			{"new text", rec("fb:g", "1", "hello, edited", "m3"), handlers.OutcomeEdited},
			{"edit redelivered", rec("fb:g", "1", "hello, edited", "m3"), handlers.OutcomeEdited},
			{"edit repeated", rec("fb:g", "1", "hello, edited", "m4"), handlers.OutcomeRepeated},
		}
		var id int64
		for _, st := range steps {
			got, err := s.SavePost(ctx, st.rec)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got.Outcome != st.want {
				t.Fatalf("%s: outcome %q, want %q", st.name, got.Outcome, st.want)
			}
			if id == 0 {
				id = got.ID
			}
			if got.ID != id || id == 0 {
				t.Fatalf("%s: id %d, want %d", st.name, got.ID, id)
			}
		}
	})
	t.Run("posts apart by source and id", func(t *testing.T) {
		s := newStore(t)
		ids := map[int64]bool{}
		for _, r := range []handlers.PostRecord{rec("fb:g", "1", "x", "m1"), rec("fb:g", "2", "x", "m2"), rec("fb:h", "1", "x", "m3")} {
			got, err := s.SavePost(ctx, r)
			check(t, err)
			if got.Outcome != handlers.OutcomeNew {
				t.Fatalf("%s/%s: %q, want new", r.Source, r.ExternalID, got.Outcome)
			}
			ids[got.ID] = true
		}
		if len(ids) != 3 {
			t.Fatalf("three posts got ids %v", ids)
		}
	})
}
