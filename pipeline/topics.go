package pipeline

// Topics names the streams, all under one configurable prefix.
type Topics struct{ prefix string }

// NewTopics returns the topic names under prefix ("" for none).
func NewTopics(prefix string) Topics { return Topics{prefix: prefix} }

func (t Topics) name(s string) string {
	if t.prefix == "" {
		return s
	}
	return t.prefix + "." + s
}

// Raw is where crawled, ingested and imported posts arrive.
func (t Topics) Raw() string { return t.name("posts.raw") }

// Normalized carries new and edited posts to the match stage.
func (t Topics) Normalized() string { return t.name("posts.normalized") }

// Matched carries posts that matched at least one rule to the evaluate stage.
func (t Topics) Matched() string { return t.name("posts.matched") }

// Alerts carries stored alerts to the notify stages.
func (t Topics) Alerts() string { return t.name("alerts") }

// Poison is where messages from topic go that can never be processed, with the reason.
func Poison(topic string) string { return topic + ".poison" }

// CrawlJobs carries the scheduler's crawl jobs to the crawl stage.
func (t Topics) CrawlJobs() string { return t.name("crawl.jobs") }

// SourcesHealth carries a source's health events (blocked, needs cookies, gone) for the
// alerts stage.
func (t Topics) SourcesHealth() string { return t.name("sources.health") }
