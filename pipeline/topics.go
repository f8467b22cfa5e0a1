package pipeline

import (
	"hash/fnv"
	"strconv"
	"strings"

	"groupwatch/config"
)

// Topics names the streams, all under one configurable prefix, and the partitions of each:
// with topics.partitions N over 1, a topic is N streams whose keys end in a hash tag of their
// own ("gw.posts.raw.{gw.p3}"), so a Redis Cluster spreads them over its masters.
type Topics struct {
	prefix     string
	partitions int
	cluster    bool
}

// NewTopics returns the topic names under prefix ("" for none), one stream each.
func NewTopics(prefix string) Topics { return Topics{prefix: prefix, partitions: 1} }

// TopicsOf returns the configured topic names, partitions and key layout.
func TopicsOf(cfg *config.Config) Topics {
	return Topics{prefix: cfg.Topics.Prefix, partitions: max(1, cfg.Topics.Partitions), cluster: cfg.Redis.IsCluster()}
}

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

// Poison is where messages from topic (a stream: one partition of a topic) go that can
// never be processed, with the reason. It keeps the partition's hash tag.
func Poison(topic string) string { return topic + ".poison" }

// CrawlJobs carries the scheduler's crawl jobs to the crawl stage.
func (t Topics) CrawlJobs() string { return t.name("crawl.jobs") }

// SourcesHealth carries a source's health events (blocked, needs cookies, gone) for the
// alerts stage.
func (t Topics) SourcesHealth() string { return t.name("sources.health") }

// All are every topic, in the order status lists them: the flow, then the health events.
func (t Topics) All() []string {
	return []string{t.CrawlJobs(), t.Raw(), t.Normalized(), t.Matched(), t.Alerts(), t.SourcesHealth()}
}

// AllStreams are the streams of every topic, each topic's partitions together.
func (t Topics) AllStreams() []string {
	var out []string
	for _, topic := range t.All() {
		out = append(out, t.Streams(topic)...)
	}
	return out
}

// Partitions is how many streams each topic is.
func (t Topics) Partitions() int { return max(1, t.partitions) }

// Stream is the key of partition p of topic: the topic's own name when it has one partition
// (the layout before partitions existed), else the name with the partition's hash tag.
func (t Topics) Stream(topic string, p int) string {
	if t.Partitions() == 1 {
		return topic
	}
	tag := "p" + strconv.Itoa(p)
	if t.prefix != "" {
		tag = t.prefix + "." + tag
	}
	return topic + ".{" + tag + "}"
}

// Streams are the keys of every partition of topic.
func (t Topics) Streams(topic string) []string {
	out := make([]string, t.Partitions())
	for p := range out {
		out[p] = t.Stream(topic, p)
	}
	return out
}

// PartitionOf is the partition of a message keyed by key (a post's source/external_id,
// which its correlation id carries from posts.raw to alerts): FNV-1a, so every process and
// every version of groupwatch agrees.
func (t Topics) PartitionOf(key string) int {
	if t.Partitions() == 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(t.Partitions()))
}

// isTopic says name is one of the topics (not a stream of a partition, not a poison topic).
func (t Topics) isTopic(name string) bool {
	for _, topic := range t.All() {
		if name == topic {
			return true
		}
	}
	return false
}

// Keys is the prefix of every key that is not a stream (leases, the scheduler's ticks and
// in-flight marks, the delayed queue, pace slots, the stored partition count): the topics'
// prefix and a dot. On a Redis Cluster they must share one hash slot, since scripts touch
// two or more of them at once: a prefix without a hash tag becomes one ("{gw}.").
func (t Topics) Keys() string {
	switch {
	case t.cluster && !strings.ContainsAny(t.prefix, "{}"):
		if t.prefix == "" {
			return "{groupwatch}."
		}
		return "{" + t.prefix + "}."
	case t.prefix == "":
		return ""
	}
	return t.prefix + "."
}
