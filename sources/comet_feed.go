package sources

import (
	"net/url"
	"slices"
	"strings"
)

// cometFeed gathers the posts and the next-page cursor of Relay payloads, from a Comet page
// or an /api/graphql/ answer alike.
type cometFeed struct {
	base  *url.URL
	posts []Post
	index map[string]int
	// cursor is the feed's end_cursor when its page_info says has_next_page.
	cursor string
	// pageInfo: a page_info of the feed was seen, so the payloads hold a feed even when it
	// has no stories (an empty group, the end of a feed).
	pageInfo bool
	// pageInfoRank is the rank of the page_info the cursor came from (see readPageInfo).
	pageInfoRank int
}

func newCometFeed(base *url.URL) *cometFeed {
	return &cometFeed{base: base, index: map[string]int{}}
}

// read walks one payload. A story is read as a whole and its insides are not walked again,
// so that a share's original (attached_story) is never a post of its own.
func (f *cometFeed) read(p relayPayload) {
	w := jsonWalker{visit: func(obj map[string]any, path []any) bool {
		if story, ok := highlightStory(obj); ok {
			if post, ok := storyPost(story, f.base); ok {
				post.Pinned = true
				f.add(post)
			}
			return false
		}
		if jsonString(obj, "__typename") == "Story" {
			if post, ok := storyPost(obj, f.base); ok {
				f.add(post)
			}
			return false
		}
		if len(path) > 0 && path[len(path)-1] == "page_info" {
			f.readPageInfo(obj, p.path, path)
			return false
		}
		return true
	}}
	w.walk(p.data, nil)
}

// highlightStory is the story of a group's highlight unit (a pinned or featured post shown
// above the feed: GroupHighlightPostUnit, marked by __isGroupHighlightUnit or its
// is_unit_pinned flag). Its story carries no __typename of its own.
func highlightStory(obj map[string]any) (map[string]any, bool) {
	_, isUnit := obj["__isGroupHighlightUnit"]
	_, hasPinFlag := obj["is_unit_pinned"]
	if !isUnit && !hasPinFlag && !strings.HasSuffix(jsonString(obj, "__typename"), "HighlightPostUnit") {
		return nil, false
	}
	story, ok := obj["story"].(map[string]any)
	return story, ok
}

// readPageInfo keeps the feed's cursor. A page has several connections with a page_info
// (the highlight units', a section's); the feed's is the one under a key naming a feed
// (group_feed, timeline_list_feed_units), else any but the highlight units'. Among equals
// the last wins: later payloads are later pages.
func (f *cometFeed) readPageInfo(info map[string]any, base, path []any) {
	rank := 1
	for _, part := range [][]any{base, path} {
		for _, k := range part {
			key, _ := k.(string)
			key = strings.ToLower(key)
			if strings.Contains(key, "highlight") {
				return
			}
			if strings.Contains(key, "feed") {
				rank = 2
			}
		}
	}
	if _, ok := info["has_next_page"]; !ok || rank < f.pageInfoRank {
		return
	}
	f.pageInfo, f.pageInfoRank = true, rank
	f.cursor = ""
	if jsonBool(info, "has_next_page") {
		f.cursor = scalarString(info["end_cursor"])
	}
}

// add keeps each post once, in the order first seen.
func (f *cometFeed) add(p Post) {
	if i, ok := f.index[p.ExternalID]; ok {
		mergePost(&f.posts[i], p)
		return
	}
	f.index[p.ExternalID] = len(f.posts)
	f.posts = append(f.posts, p)
}

// ordered are the posts as the page shows them: pinned posts above the feed, each group in
// the order read. (Within one payload, objects' keys are walked in sorted order, not the
// page's: a first payload holding both the feed and the highlight units lists "group_feed"
// before "if_viewer_can_see_highlight_units".)
func (f *cometFeed) ordered() []Post {
	out := slices.Clone(f.posts)
	slices.SortStableFunc(out, func(a, b Post) int {
		switch {
		case a.Pinned == b.Pinned:
			return 0
		case a.Pinned:
			return -1
		}
		return 1
	})
	return out
}
