package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/pipeline"
)

func newReplayCommand(g *globalFlags) *cobra.Command {
	var from, to, group, toTopic string
	var execute, createGroup bool
	var partition int
	cmd := &cobra.Command{
		Use:   "replay --topic T --from TIME|ID [--to TIME|ID] (--group G [--create-group] | --to-topic T2) [--partition N] [--execute]",
		Short: "Deliver a topic's entries again, to a consumer group or into another topic",
		Long: `Deliver the entries of a topic again: rewind a consumer group to an id or time (XGROUP SETID),
or copy a range of entries into another topic, each marked as a replay. A dry run by default:
it prints how many entries, their time span and the target. Nothing is alerted or notified
twice: every stage's writes have dedup keys. Bounds are stream ids (1700000000000-0), RFC 3339
times, or durations ago (2h, 7d).

Refused, because they would lose or multiply entries: a --from after the topic's last entry
(the group would skip every entry added until then), a --group the topic does not have
(unless --create-group), --to before --from, a duration too long to count, and --to-topic
equal to --topic. A copy stops at the last entry present when it starts.`,
		Example: `  # what would a rewind of the match stage by two hours re-deliver?
  pipeline replay --config config.yaml --topic posts.normalized --from 2h --group match
  pipeline replay --config config.yaml --topic posts.normalized --from 2h --group match --execute
  # copy yesterday's raw posts into a topic of their own
  pipeline replay --config config.yaml --topic posts.raw --from 2026-11-26T00:00:00Z --to 2026-11-27T00:00:00Z --to-topic posts.raw.yesterday --execute`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.serverConfig()
			if err != nil {
				return err
			}
			topic, _ := cmd.Flags().GetString("topic")
			now := time.Now()
			fromID, err := pipeline.StreamID(from, now)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			toID := "+"
			if to != "" {
				if toID, err = pipeline.StreamID(to, now); err != nil {
					return fmt.Errorf("--to: %w", err)
				}
			}
			ctx := context.Background()
			replayer, err := pipeline.OpenReplayer(ctx, cfg)
			if err != nil {
				return err
			}
			defer replayer.Close()
			plan, err := replayer.Plan(ctx, pipeline.ReplayPlan{Topic: topic, FromID: fromID, ToID: toID, Group: group, CreateGroup: createGroup, ToTopic: toTopic, Partition: partition})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			target := "into topic " + plan.ToTopic
			if plan.Group != "" {
				target = "to consumer group " + plan.Group + " (rewound to just before " + plan.FromID + "; it reads on to the end)"
			}
			span := "-"
			if plan.First != nil {
				span = plan.First.Format(time.RFC3339) + " to " + plan.Last.Format(time.RFC3339)
			}
			fmt.Fprintf(out, "%s: %d entries from %s to %s (%s), %s\n", plan.Topic, plan.Entries, plan.FromID, plan.ToID, span, target)
			for _, part := range plan.Parts {
				fmt.Fprintf(out, "  partition %d, %s: %d entries\n", part.Partition, part.Topic, part.Entries)
			}
			if !execute {
				fmt.Fprintln(out, "dry run: add --execute to replay")
				return nil
			}
			bar := newProgress(os.Stderr, plan.Entries)
			if err := replayer.Replay(ctx, plan, bar.update); err != nil {
				return err
			}
			bar.finish()
			fmt.Fprintln(out, "replayed")
			return nil
		},
	}
	cmd.Flags().String("topic", "", "the topic to replay (with its prefix, e.g. posts.raw)")
	cmd.Flags().StringVar(&from, "from", "", "first entry: id, RFC 3339 time or duration ago")
	cmd.Flags().StringVar(&to, "to", "", "last entry (with --to-topic): id, time or duration ago; default the end")
	cmd.Flags().StringVar(&group, "group", "", "rewind this consumer group")
	cmd.Flags().BoolVar(&createGroup, "create-group", false, "with --group: create the group at --from if the topic has none of that name")
	cmd.Flags().StringVar(&toTopic, "to-topic", "", "copy the entries into this topic")
	cmd.Flags().BoolVar(&execute, "execute", false, "do it (default: a dry run)")
	cmd.Flags().IntVar(&partition, "partition", pipeline.AllPartitions, "with topics.partitions over 1: replay this partition only (default: every partition)")
	_ = cmd.MarkFlagRequired("topic")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

// progress draws counts, rate and ETA on a terminal, and nothing elsewhere.
type progress struct {
	w     io.Writer
	total int64
	start time.Time
	tty   bool
	last  time.Time
}

func newProgress(w *os.File, total int64) *progress {
	fi, err := w.Stat()
	return &progress{w: w, total: total, start: time.Now(), tty: err == nil && fi.Mode()&os.ModeCharDevice != 0}
}

func (p *progress) update(done int64) {
	if !p.tty || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	elapsed := time.Since(p.start).Seconds()
	rate := float64(done) / max(elapsed, 0.001)
	eta := "-"
	if rate > 0 && p.total > done {
		eta = (time.Duration(float64(p.total-done)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%d/%d entries  %.0f/s  ETA %s   ", done, p.total, rate, eta)
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
