package sources

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// dataFT is what a post's data-ft attribute (tracking JSON) tells about the post. Ids come
// as JSON strings in some places and numbers in others, so all are read as json.Number or
// string and kept as strings: a float64 would round 17-digit ids.
type dataFT struct {
	PostID        string
	StoryKey      string
	OwnerID       string
	OriginalID    string
	PublishedUnix int64
	HasPublished  bool
}

// parseDataFT reads the data-ft JSON; a missing or broken attribute gives the zero value.
func parseDataFT(raw string) dataFT {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if raw == "" || dec.Decode(&m) != nil {
		return dataFT{}
	}
	ft := dataFT{
		PostID:     idString(m["top_level_post_id"]),
		StoryKey:   idString(m["mf_story_key"]),
		OwnerID:    idString(m["content_owner_id_new"]),
		OriginalID: idString(m["original_content_id"]),
	}
	ft.PublishedUnix, ft.HasPublished = publishTime(m["page_insights"], ft.PostID, ft.StoryKey)
	return ft
}

// publishTime finds post_context.publish_time in page_insights, which is keyed by the group
// or page ids the story appears in. A shared post lists several; the entry whose story_fbid
// names this post wins, then the lowest key, so that the answer never depends on map order.
func publishTime(insights any, ids ...string) (int64, bool) {
	byKey, _ := insights.(map[string]any)
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fallback int64
	found := false
	for _, k := range keys {
		entry, _ := byKey[k].(map[string]any)
		ctx, _ := entry["post_context"].(map[string]any)
		n, ok := ctx["publish_time"].(json.Number)
		if !ok {
			continue
		}
		secs, err := n.Int64()
		if err != nil || !plausibleTime(time.Unix(secs, 0)) {
			continue
		}
		fbids, _ := ctx["story_fbid"].([]any)
		for _, f := range fbids {
			for _, id := range ids {
				if id != "" && idString(f) == id {
					return secs, true
				}
			}
		}
		if !found {
			fallback, found = secs, true
		}
	}
	return fallback, found
}

// idString is an id that JSON gave as a string or a number; anything else is "".
func idString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		if _, err := strconv.ParseUint(x.String(), 10, 64); err == nil {
			return x.String()
		}
	}
	return ""
}

// dataStoreFeedbackTarget reads feedback_target from a data-store attribute: the post id in
// markup whose data-ft lacks it.
func dataStoreFeedbackTarget(raw string) string {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if raw == "" || dec.Decode(&m) != nil {
		return ""
	}
	return idString(m["feedback_target"])
}
