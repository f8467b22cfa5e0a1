package sources

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Where a Comet Story keeps each field, first path first. The same field appears several
// times in one story (content, context_layout, timestamp and UFI sections each carry a copy
// of what they show), and Facebook moves sections between deploys, so each field has a list
// of fallbacks rather than one fixed path. None of them leads into attached_story: a share's
// original is not the story.
var (
	storyIDPaths = compilePaths(
		"post_id",
		"comet_sections.content.story.post_id",
		"comet_sections.context_layout.story.comet_sections.title.story.post_id",
		"comet_sections.feedback.story.story_ufi_container.story.post_id",
	)
	storyURLPaths = compilePaths(
		"permalink_url",
		"url",
		"comet_sections.context_layout.story.comet_sections.metadata[].story.url",
		"comet_sections.timestamp.story.url",
		"comet_sections.content.story.url",
		"feedback.url",
	)
	// storyTimePaths: creation_time on the story, else in a timestamp section. The metadata
	// list also holds an audience section, which has no creation_time.
	storyTimePaths = compilePaths(
		"creation_time",
		"comet_sections.context_layout.story.comet_sections.metadata[].story.creation_time",
		"comet_sections.timestamp.story.creation_time",
		"comet_sections.content.story.creation_time",
	)
	// storyActorPaths lead to the author; each of name, id and url is taken from the first
	// actor that has it (signed out, the content section's actor has an id but no name).
	storyActorPaths = compilePaths(
		"actors[0]",
		"comet_sections.context_layout.story.actors[0]",
		"comet_sections.content.story.actors[0]",
		"comet_sections.context_layout.story.comet_sections.title.story.actors[0]",
		"comet_sections.context_layout.story.comet_sections.actor_photo.story.actors[0]",
		"comet_sections.feedback.story.story_ufi_container.story.actors[0]",
		"feedback.owning_profile",
	)
	storyTextPaths = compilePaths(
		"comet_sections.content.story.message.text",
		"comet_sections.content.story.comet_sections.message.story.message.text",
		"comet_sections.content.story.comet_sections.message_container.story.message.text",
		"message.text",
		"comet_sections.message.story.message.text",
	)
	// storyFeedbackPaths lead to the object holding the counts. The UFI renderer's feedback
	// is what the story shows under itself; a highlight unit's story has its counts on
	// feedback directly.
	storyFeedbackPaths = compilePaths(
		"comet_sections.feedback.story.story_ufi_container.story.feedback_context.feedback_target_with_context.comet_ufi_summary_and_actions_renderer.feedback",
		"comet_sections.feedback.story.feedback_context.feedback_target_with_context.ufi_renderer.feedback.comet_ufi_summary_and_actions_renderer.feedback",
		"comet_sections.feedback.story.comet_feed_ufi_container.story.feedback_context.feedback_target_with_context.ufi_renderer.feedback.comet_ufi_summary_and_actions_renderer.feedback",
		"feedback.comet_ufi_summary_and_actions_renderer.feedback",
		"feedback",
	)
	reactionPaths = compilePaths("reaction_count.count", "reactors.count", "i18n_reaction_count")
	commentPaths  = compilePaths(
		"comment_rendering_instance.comments.total_count",
		"comments_count_summary_renderer.feedback.comment_rendering_instance.comments.total_count",
		"total_comment_count",
		"comment_count.total_count",
		"i18n_comment_count",
	)
	sharePaths = compilePaths("share_count.count", "i18n_share_count")
	// storyAttachmentPaths lead to the story's own attachments.
	storyAttachmentPaths = compilePaths(
		"attachments[]",
		"comet_sections.content.story.attachments[]",
		"comet_sections.content.story.comet_sections.message.story.attachments[]",
	)
	// sharedStoryPaths lead to the original of a share, with its post_id.
	sharedStoryPaths = compilePaths(
		"attached_story",
		"comet_sections.content.story.attached_story",
		"comet_sections.content.story.comet_sections.attached_story.story.attached_story",
	)
	sharedIDPaths = compilePaths(
		"attached_story.post_id",
		"comet_sections.content.story.attached_story.post_id",
		"comet_sections.content.story.comet_sections.attached_story.story.attached_story.post_id",
		"attached_story.comet_sections.context_layout.story.comet_sections.title.story.post_id",
	)
	// imagePaths lead from one attachment to its pictures' addresses.
	imagePaths = compilePaths(
		"styles.attachment.media.photo_image.uri",
		"styles.attachment.media.image.uri",
		"media.photo_image.uri",
		"media.image.uri",
		"styles.attachment.all_subattachments.nodes[].media.image.uri",
		"styles.attachment.all_subattachments.nodes[].media.photo_image.uri",
		"styles.attachment.media.preferred_thumbnail.image.uri",
		"styles.attachment.media.thumbnailImage.uri",
		"all_subattachments.nodes[].media.image.uri",
	)
)

// storyPost reads one Comet story. ok is false for a unit that is not a post: no post_id,
// or nothing but an id (a reference to a story shown elsewhere).
func storyPost(story map[string]any, base *url.URL) (Post, bool) {
	p := Post{ExternalID: firstString(story, storyIDPaths)}
	if p.ExternalID == "" {
		p.ExternalID = postIDFromStoryID(jsonString(story, "id"))
	}
	if !numericID(p.ExternalID) {
		return Post{}, false
	}
	if sec, err := strconv.ParseInt(firstString(story, storyTimePaths), 10, 64); err == nil && sec > 0 {
		p.PostedAt = time.Unix(sec, 0).UTC()
	}
	p.Author, p.AuthorID, p.AuthorURL = storyAuthor(story, base)
	p.Text = strings.TrimSpace(firstString(story, storyTextPaths))
	p.URL = cleanFacebookURL(base, firstString(story, storyURLPaths))
	feedbacks := allObjects(story, storyFeedbackPaths)
	p.Likes = countIn(feedbacks, reactionPaths)
	p.Comments = countIn(feedbacks, commentPaths)
	p.Shares = countIn(feedbacks, sharePaths)
	if shared := firstString(story, sharedIDPaths); numericID(shared) && shared != p.ExternalID {
		p.SharedExternalID = shared
	}
	p.Images = storyImages(story, storyAttachmentPaths)
	if len(p.Images) == 0 && p.SharedExternalID != "" {
		// A share shows its original's pictures under the sharer's words, as the m.facebook.com
		// markup did; they are the post's pictures as a reader sees them.
		for _, path := range sharedStoryPaths {
			for _, orig := range path.find(story) {
				if len(p.Images) == 0 {
					if m, ok := orig.(map[string]any); ok {
						p.Images = storyImages(m, storyAttachmentPaths)
					}
				}
			}
		}
	}
	if p.PostedAt.IsZero() && p.Author == "" && p.Text == "" {
		return Post{}, false
	}
	return p, true
}

// allObjects are the objects the paths lead to from v, first path's first.
func allObjects(v any, paths []jsonPath) []map[string]any {
	var out []map[string]any
	for _, p := range paths {
		for _, x := range p.find(v) {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// countIn is the count of the first feedback object that has one: the UFI renderer's may
// lack a count that the story's own feedback carries.
func countIn(feedbacks []map[string]any, paths []jsonPath) int {
	for _, fb := range feedbacks {
		if n, ok := firstCount(fb, paths); ok {
			return n
		}
	}
	return 0
}

// storyAuthor takes the name, id and profile address each from the first actor that has it.
func storyAuthor(story map[string]any, base *url.URL) (name, id, link string) {
	for _, path := range storyActorPaths {
		for _, v := range path.find(story) {
			actor, ok := v.(map[string]any)
			if !ok {
				continue
			}
			if name == "" {
				name = strings.TrimSpace(jsonString(actor, "name"))
			}
			if id == "" {
				id = scalarString(actor["id"])
			}
			if link == "" {
				link = cleanFacebookURL(base, firstString(actor, compiledActorURL))
			}
		}
	}
	return name, id, link
}

var compiledActorURL = compilePaths("url", "profile_url")

// storyImages are the picture addresses of a story's own attachments, each once.
func storyImages(story map[string]any, attachments []jsonPath) []string {
	var out []string
	seen := map[string]bool{}
	for _, path := range attachments {
		for _, a := range path.find(story) {
			for _, ip := range imagePaths {
				for _, v := range ip.find(a) {
					if s := scalarString(v); s != "" && !seen[s] {
						seen[s] = true
						out = append(out, s)
					}
				}
			}
		}
	}
	return out
}

// storyIDRE reads the post id out of a decoded story id: "S:_I<actor>:<post>" or
// "S:_I<actor>:VK:<post>".
var storyIDRE = regexp.MustCompile(`^S:_I\d+:(?:VK:)?(\d+)(?::|$)`)

// postIDFromStoryID is the post id inside a story's base64 id, the last resort of a story
// that names no post_id; "" when the id is not of that form.
func postIDFromStoryID(id string) string {
	if id == "" || len(id) > 200 {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(id, "=")); err != nil {
			return ""
		}
	}
	if m := storyIDRE.FindSubmatch(raw); m != nil {
		return string(m[1])
	}
	return ""
}

// numericID: Facebook's post ids are decimal numbers; the base64 "id" of a story is not one.
func numericID(s string) bool {
	return s != "" && len(s) <= 32 && allDigits(s)
}

// mergePost fills what a first reading of a post lacks from a later one: a story may be
// preloaded twice, once as a reference and once in full.
func mergePost(into *Post, p Post) {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&into.Author, p.Author)
	fill(&into.AuthorID, p.AuthorID)
	fill(&into.AuthorURL, p.AuthorURL)
	fill(&into.Text, p.Text)
	fill(&into.URL, p.URL)
	fill(&into.SharedExternalID, p.SharedExternalID)
	if into.PostedAt.IsZero() {
		into.PostedAt = p.PostedAt
	}
	into.Likes = max(into.Likes, p.Likes)
	into.Comments = max(into.Comments, p.Comments)
	into.Shares = max(into.Shares, p.Shares)
	if len(into.Images) == 0 {
		into.Images = p.Images
	}
	into.Pinned = into.Pinned || p.Pinned
}
