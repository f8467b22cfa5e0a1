package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"groupwatch/textnorm"
)

// PostRecord is what normalize stores for a post.
type PostRecord struct {
	Source      string
	ExternalID  string
	Author      string
	URL         string
	Text        string
	ContentHash string
	Raw         []byte
	PostedAt    *time.Time
	// MessageID identifies the stream message carrying the post. The same message delivered
	// again is not a repeat: its first delivery may have stored the post and died before
	// passing it on.
	MessageID string
}

// SavedPost is what the store says about a post it was handed.
type SavedPost struct {
	ID      int64
	Outcome Outcome
}

// PostStore upserts posts by (source, external_id).
type PostStore interface {
	// SavePost stores the post unless an identical one (same content hash) is there, and
	// says whether it was new, edited or repeated.
	SavePost(ctx context.Context, p PostRecord) (SavedPost, error)
}

// Normalize cleans a raw post's text (NFKC, case folding, white space), stores the post and
// passes it on only when it is new or edited: a repeated post stops here.
type Normalize struct {
	Store PostStore
}

// Handle returns nil, nil for a repeated post.
// messageID identifies the message carrying in, so a redelivery is told from a repeat.
func (n Normalize) Handle(ctx context.Context, messageID string, in RawPost) (*NormalizedPost, error) {
	if in.V != Version {
		return nil, Permanent(fmt.Errorf("unknown payload version %d (want %d)", in.V, Version))
	}
	if err := in.Validate(); err != nil {
		return nil, Permanent(fmt.Errorf("invalid post: %w", err))
	}
	normalized := textnorm.Normalize(in.Text)
	saved, err := n.Store.SavePost(ctx, PostRecord{
		Source:      in.Source,
		ExternalID:  in.ExternalID,
		Author:      in.Author,
		URL:         in.URL,
		Text:        in.Text,
		ContentHash: ContentHash(normalized),
		Raw:         in.Raw,
		PostedAt:    in.PostedAt,
		MessageID:   messageID,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot save post %s/%s: %w", in.Source, in.ExternalID, err)
	}
	if saved.Outcome == OutcomeRepeated {
		return nil, nil
	}
	return &NormalizedPost{
		V:          Version,
		PostID:     saved.ID,
		Outcome:    saved.Outcome,
		Source:     in.Source,
		ExternalID: in.ExternalID,
		Author:     in.Author,
		URL:        in.URL,
		Text:       in.Text,
		Normalized: normalized,
		PostedAt:   in.PostedAt,
		ReceivedAt: in.ReceivedAt,
	}, nil
}

// ContentHash is the hex SHA-256 of a post's normalized text: an edit that only changes
// width or case of characters, or white space, is not an edit.
func ContentHash(normalized string) string {
	sum := sha256.Sum256([]byte(normalized))
	return hex.EncodeToString(sum[:])
}
