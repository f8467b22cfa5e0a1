package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"groupwatch/config"
)

// Replayer is `pipeline replay`'s hold on the configured Redis: it plans a replay, then,
// once the command has shown the plan, carries it out (PlanReplay and Replay say how). A
// topic of several partitions is replayed partition by partition: all of them, or the one
// ReplayPlan.Partition names.
type Replayer struct {
	rdb    redis.UniversalClient
	topics Topics
}

// OpenReplayer connects to the configured Redis.
func OpenReplayer(ctx context.Context, cfg *config.Config) (*Replayer, error) {
	rdb, err := OpenRedis(ctx, cfg.Redis.URL, 4)
	if err != nil {
		return nil, err
	}
	return &Replayer{rdb: rdb, topics: TopicsOf(cfg)}, nil
}

// AllPartitions in ReplayPlan.Partition replays every partition of the topic.
const AllPartitions = -1

// Plan checks a replay and counts what it would deliver (PlanReplay), per partition.
func (r *Replayer) Plan(ctx context.Context, p ReplayPlan) (ReplayPlan, error) {
	parts, err := r.split(p)
	if err != nil {
		return p, err
	}
	if len(parts) == 1 && parts[0].Topic == p.Topic {
		return PlanReplay(ctx, r.rdb, p)
	}
	p.Parts = nil
	var empty error
	for _, part := range parts {
		planned, err := PlanReplay(ctx, r.rdb, part)
		if errors.Is(err, errNothingInRange) {
			// A partition with nothing from --from on is left as it is; only when every
			// partition is so is the replay refused.
			empty = err
			continue
		}
		if err != nil {
			return p, err
		}
		p.Entries += planned.Entries
		if planned.First != nil && (p.First == nil || planned.First.Before(*p.First)) {
			p.First = planned.First
		}
		if planned.Last != nil && (p.Last == nil || planned.Last.After(*p.Last)) {
			p.Last = planned.Last
		}
		p.Parts = append(p.Parts, planned)
	}
	if len(p.Parts) == 0 && empty != nil {
		return p, empty
	}
	return p, nil
}

// split is the plan once per stream it covers: a topic's partitions (or the one asked
// for), each copied to the same partition of the target topic; any other stream as it is.
func (r *Replayer) split(p ReplayPlan) ([]ReplayPlan, error) {
	n := r.topics.Partitions()
	if n == 1 || !r.topics.isTopic(p.Topic) {
		if p.Partition > 0 {
			return nil, fmt.Errorf("--partition %d: %s is one stream (topics.partitions is %d)", p.Partition, p.Topic, n)
		}
		return []ReplayPlan{p}, nil
	}
	if p.Partition >= n {
		return nil, fmt.Errorf("--partition %d: %s has partitions 0 to %d", p.Partition, p.Topic, n-1)
	}
	var parts []ReplayPlan
	for i := range n {
		if p.Partition != AllPartitions && p.Partition != i {
			continue
		}
		part := p
		part.Topic, part.Partition, part.Parts = r.topics.Stream(p.Topic, i), i, nil
		if p.ToTopic != "" {
			part.ToTopic = r.topics.Stream(p.ToTopic, i)
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// Replay carries out a plan from Plan (Replay), partition after partition.
func (r *Replayer) Replay(ctx context.Context, p ReplayPlan, progress func(done int64)) error {
	if len(p.Parts) == 0 {
		return Replay(ctx, r.rdb, p, progress)
	}
	var before int64
	for _, part := range p.Parts {
		if err := Replay(ctx, r.rdb, part, func(done int64) { progress(before + done) }); err != nil {
			return fmt.Errorf("partition %d: %w", part.Partition, err)
		}
		before += part.Entries
	}
	return nil
}

// Close closes the connection.
func (r *Replayer) Close() error { return r.rdb.Close() }
