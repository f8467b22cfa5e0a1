package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/pipeline"
)

func newPurgeCommand(g *globalFlags) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "purge",
		Short: "Delete MySQL rows past their retention now (the leader does it every retention.every)",
		Long: `Deletes what the retention section says has been kept long enough: posts (with their matches
and rule events) except those an alert refers to, finished crawl runs, alerts (with their
deliveries) except those with a delivery still to be sent, sent or dead deliveries, and daily
counts. Each DELETE removes at most retention.batch_size rows, with retention.pause between.
--dry-run only counts.`,
		Example: `  pipeline purge --config config.yaml --dry-run
  pipeline purge --config config.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.serverConfig()
			if err != nil {
				return err
			}
			logger, err := g.logger()
			if err != nil {
				return err
			}
			rep, err := pipeline.Purge(context.Background(), cfg, dryRun, logger)
			if err == nil || len(rep.Rows) > 0 { // a purge that stopped midway says what it did
				printPurge(cmd.OutOrStdout(), rep)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only count what would be deleted")
	return cmd
}

func printPurge(w io.Writer, rep pipeline.PurgeReport) {
	verb := "deleted"
	if rep.DryRun {
		verb = "would delete"
	}
	cut := func(t time.Time) string {
		if t.IsZero() {
			return "keep"
		}
		return "before " + t.UTC().Format(time.RFC3339)
	}
	c := rep.Cutoffs
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "TABLE\tRETENTION\t%s\n", verb)
	for _, row := range []struct {
		table string
		at    time.Time
	}{
		{"alerts", c.Alerts}, {"deliveries", c.Deliveries}, {"posts", c.Posts}, {"matches", c.Posts},
		{"rule_events", c.Posts}, {"crawl_runs", c.CrawlRuns}, {"keyword_daily", c.KeywordDaily},
	} {
		n := fmt.Sprint(rep.Rows[row.table])
		if row.at.IsZero() {
			n = "-"
		} else if rep.DryRun && row.table == "rule_events" {
			n = "(with their posts)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", row.table, cut(row.at), n)
	}
	tw.Flush()
	if rep.DryRun && rep.KeptForAlerts > 0 {
		fmt.Fprintf(w, "%d posts past their retention are kept because an alert refers to them\n", rep.KeptForAlerts)
	}
}
