package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/pipeline"
)

func newPoisonCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "poison",
		Short: "List, show, requeue or drop poisoned messages (<topic>.poison)",
		Long: `A message a stage can never process goes to <topic>.poison with the reason. After fixing the
cause (a rule, a parser, a sink), requeue sends entries back to the topic they came from; drop
removes them. The console's Poison page does the same.`,
		Example: `  pipeline poison list --config config.yaml
  pipeline poison show --config config.yaml posts.raw.poison 1732800000000-0
  pipeline poison requeue --config config.yaml posts.raw.poison 1732800000000-0 1732800000001-0
  pipeline poison drop --config config.yaml posts.raw.poison 1732800000000-0`,
	}
	open := func() (pipeline.PoisonQueue, func() error, error) {
		cfg, err := g.serverConfig()
		if err != nil {
			return pipeline.PoisonQueue{}, nil, err
		}
		return pipeline.PoisonOf(context.Background(), cfg)
	}
	var limit int64
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the poison topics that hold entries, newest entries first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, closeQ, err := open()
			if err != nil {
				return err
			}
			defer closeQ()
			topics, err := q.List(context.Background(), limit)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(topics)
			}
			if len(topics) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no poisoned messages")
				return nil
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, t := range topics {
				fmt.Fprintf(w, "%s\t%d entries\n", t.PoisonTopic, t.Length)
				for _, e := range t.Entries {
					fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", e.ID, e.At.Format(time.RFC3339), e.Handler, oneLine(e.Reason))
				}
			}
			return w.Flush()
		},
	}
	list.Flags().Int64Var(&limit, "limit", 50, "entries shown per topic")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	show := &cobra.Command{
		Use:   "show POISON_TOPIC ID",
		Short: "Show one poisoned entry: reason, metadata and payload",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, closeQ, err := open()
			if err != nil {
				return err
			}
			defer closeQ()
			e, err := q.Show(context.Background(), args[0], args[1])
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(e)
		},
	}
	move := func(use, short string, do func(pipeline.PoisonQueue, string, []string) (int, error), verb string) *cobra.Command {
		return &cobra.Command{
			Use:   use + " POISON_TOPIC ID...",
			Short: short,
			Args:  cobra.MinimumNArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				q, closeQ, err := open()
				if err != nil {
					return err
				}
				defer closeQ()
				n, err := do(q, args[0], args[1:])
				fmt.Fprintf(cmd.OutOrStdout(), "%s %d of %d entries\n", verb, n, len(args)-1)
				return err
			},
		}
	}
	requeue := move("requeue", "Send entries back to the topic they were poisoned on", func(q pipeline.PoisonQueue, t string, ids []string) (int, error) {
		return q.Requeue(context.Background(), t, ids)
	}, "requeued")
	drop := move("drop", "Delete entries from a poison topic", func(q pipeline.PoisonQueue, t string, ids []string) (int, error) {
		return q.Drop(context.Background(), t, ids)
	}, "dropped")
	cmd.AddCommand(list, show, requeue, drop)
	return cmd
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
