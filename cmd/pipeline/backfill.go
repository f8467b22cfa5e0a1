package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/config"
	"groupwatch/pipeline"
)

func newBackfillCommand(g *globalFlags) *cobra.Command {
	var ruleName, since string
	var notify bool
	cmd := &cobra.Command{
		Use:   "backfill --rule RULE --since 30d [--notify]",
		Short: "Run a new or changed rule over the posts stored in MySQL",
		Long: `Run match and evaluate for one rule over the posts stored since a time, older than the streams
keep. Matches and alerts are stored as the pipeline would store them (an alert that exists is
not made again), marked as a backfill. They are not delivered one by one, ever; with --notify
the rule's sinks get one digest of what the backfill found.`,
		Example: `  pipeline backfill --config config.yaml --rule complaint-spike --since 30d
  pipeline backfill --config config.yaml --rule iphone-deals --since 7d --notify`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.serverConfig()
			if err != nil {
				return err
			}
			var rule *config.Rule
			for i := range cfg.Rules {
				if cfg.Rules[i].Name == ruleName {
					rule = &cfg.Rules[i]
				}
			}
			if rule == nil {
				return fmt.Errorf("--rule: no rule named %q in the configuration", ruleName)
			}
			if rule.Type == config.RuleDigest {
				return fmt.Errorf("--rule %s is a digest rule: its next digest covers what it matches", ruleName)
			}
			window, err := parseSince(since)
			if err != nil {
				return err
			}
			ctx := context.Background()
			job, err := pipeline.OpenBackfill(ctx, cfg, *rule)
			if err != nil {
				return err
			}
			defer job.Close()
			start, now := time.Now().Add(-window), time.Now()
			bar := newProgress(os.Stderr, 0)
			rep, err := job.Run(ctx, start, func(done, total int) {
				bar.total = int64(total)
				bar.update(int64(done))
			})
			bar.finish()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "rule %s over %d posts since %s: %d matched, %d new alerts stored as backfill\n",
				rule.Name, rep.Posts, start.UTC().Format(time.RFC3339), rep.Matches, len(rep.Alerts))
			if !notify || len(rep.Alerts) == 0 {
				return nil
			}
			logger, err := g.logger()
			if err != nil {
				return err
			}
			alertID, err := job.PublishDigest(ctx, rep, start, now, logger)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "one digest of them (alert %d) published to the rule's sinks\n", alertID)
			return nil
		},
	}
	cmd.Flags().StringVar(&ruleName, "rule", "", "the rule to run")
	cmd.Flags().StringVar(&since, "since", "30d", "how far back: 30d, 48h")
	cmd.Flags().BoolVar(&notify, "notify", false, "send one digest of what the backfill found to the rule's sinks")
	_ = cmd.MarkFlagRequired("rule")
	return cmd
}
