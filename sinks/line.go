// Package sinks delivers alerts: file and console (JSON lines), Slack and email. Each sink is safe for
// concurrent use by the notify stage's consumers.
package sinks

import (
	"encoding/json"
	"time"

	"groupwatch/handlers"
)

// Line is the JSON object a file or console sink writes, one per alert and line.
type Line struct {
	AlertID    int64      `json:"alert_id"`
	DedupKey   string     `json:"dedup_key"`
	Rule       string     `json:"rule"`
	Kind       string     `json:"kind"`
	GroupKey   string     `json:"group_key,omitempty"`
	Summary    string     `json:"summary,omitempty"`
	Source     string     `json:"source"`
	ExternalID string     `json:"external_id"`
	Author     string     `json:"author,omitempty"`
	URL        string     `json:"url,omitempty"`
	Text       string     `json:"text"`
	Terms      []string   `json:"terms"`
	PostedAt   *time.Time `json:"posted_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// encodeLine renders an alert as one JSON line, newline included.
func encodeLine(a handlers.Alert) ([]byte, error) {
	b, err := json.Marshal(Line{
		AlertID:    a.AlertID,
		DedupKey:   a.DedupKey,
		Rule:       a.Rule,
		Kind:       string(a.Kind),
		GroupKey:   a.GroupKey,
		Summary:    a.Summary,
		Source:     a.Source,
		ExternalID: a.ExternalID,
		Author:     a.Author,
		URL:        a.URL,
		Text:       a.Text,
		Terms:      a.Terms,
		PostedAt:   a.PostedAt,
		CreatedAt:  a.CreatedAt.UTC(),
	})
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
