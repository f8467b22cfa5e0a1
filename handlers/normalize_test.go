package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func rawPost(id, text string) RawPost {
	return RawPost{V: Version, Source: "fb:group", ExternalID: id, Author: "a", Text: text}
}

func TestNormalizeOutcomes(t *testing.T) {
	store := &fakePosts{}
	n := Normalize{Store: store}
	ctx := context.Background()

	first, err := n.Handle(ctx, "m1", rawPost("1", "Selling my Ｉｐｈｏｎｅ　１５\u200b  now"))
	if err != nil || first == nil {
		t.Fatalf("new post: got %v, %v", first, err)
	}
	if first.Outcome != OutcomeNew || first.Normalized != "selling my iphone 15 now" {
		t.Fatalf("new post: outcome %q normalized %q", first.Outcome, first.Normalized)
	}
	if first.Text != "Selling my Ｉｐｈｏｎｅ　１５\u200b  now" {
		t.Fatalf("original text must be kept, got %q", first.Text)
	}

	// Same text up to width, case and white space: a repeat, not passed on.
	again, err := n.Handle(ctx, "m2", rawPost("1", "selling my iPhone 15 now"))
	if err != nil || again != nil {
		t.Fatalf("repeated post: want nil, nil; got %v, %v", again, err)
	}

	edited, err := n.Handle(ctx, "m3", rawPost("1", "selling my iPhone 15 now, sold"))
	if err != nil || edited == nil || edited.Outcome != OutcomeEdited || edited.PostID != first.PostID {
		t.Fatalf("edited post: got %+v, %v", edited, err)
	}
}

func TestNormalizeRejectsBadInputPermanently(t *testing.T) {
	tests := []struct {
		name string
		post RawPost
		want string
	}{
		{"unknown version", RawPost{V: 9, Source: "s", ExternalID: "1"}, "unknown payload version 9"},
		{"no source", RawPost{V: Version, ExternalID: "1"}, "source: missing"},
		{"no external id", RawPost{V: Version, Source: "s"}, "external_id: missing"},
		{"long source", RawPost{V: Version, Source: strings.Repeat("s", 192), ExternalID: "1"}, "source: longer than 191"},
		{"bad utf-8", RawPost{V: Version, Source: "s", ExternalID: "1", Author: "\xff"}, "author: not valid UTF-8"},
		{"id with a trailing space", RawPost{V: Version, Source: "pad", ExternalID: "42 "}, `external_id: "42 " begins or ends with white space`},
		{"id with a leading tab", RawPost{V: Version, Source: "pad", ExternalID: "\t42"}, "external_id: \"\\t42\" begins or ends"},
		{"source with a trailing space", RawPost{V: Version, Source: "pad ", ExternalID: "42"}, `source: "pad " begins or ends with white space`},
		{"source with an ideographic space", RawPost{V: Version, Source: "論壇\u3000", ExternalID: "42"}, "source: "},
		{"id with a control character", RawPost{V: Version, Source: "s", ExternalID: "4\x002"}, "external_id: \"4\\x002\" holds the control character U+0000"},
		{"id with a newline inside", RawPost{V: Version, Source: "s", ExternalID: "4\n2"}, "holds the control character U+000A"},
		{"text over the byte limit", RawPost{V: Version, Source: "s", ExternalID: "1", Text: strings.Repeat("字", MaxTextBytes/3+1)}, "text: 4194306 bytes, more than the limit of 4194304 bytes"},
		{"raw over the byte limit", RawPost{V: Version, Source: "s", ExternalID: "1", Raw: []byte(`"` + strings.Repeat("a", MaxRawBytes) + `"`)}, "raw: 8388610 bytes, more than the limit"},
		{"raw not utf-8", RawPost{V: Version, Source: "s", ExternalID: "1", Raw: []byte("{\"text\":\"\xff\"}")}, "raw: not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Normalize{Store: &fakePosts{}}.Handle(context.Background(), "m", tt.post)
			if !errors.Is(err, ErrPermanent) {
				t.Fatalf("want a permanent error, got %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestNormalizeStoreFailureIsTransient(t *testing.T) {
	_, err := Normalize{Store: &fakePosts{err: errDown}}.Handle(context.Background(), "m", rawPost("1", "x"))
	if err == nil || errors.Is(err, ErrPermanent) || !errors.Is(err, errDown) {
		t.Fatalf("want a transient error wrapping the store's, got %v", err)
	}
}

func TestContentHash(t *testing.T) {
	if ContentHash("a") == ContentHash("b") {
		t.Fatal("different text, same hash")
	}
	if len(ContentHash("")) != 64 {
		t.Fatal("want hex SHA-256")
	}
}
