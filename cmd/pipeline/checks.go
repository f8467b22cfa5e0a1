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

func newRulesCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Check the rules of a configuration"}
	check := &cobra.Command{
		Use:   "check",
		Short: "Validate every rule, sink and source; exit 1 on any error, each naming its field",
		Example: `  pipeline rules check --config config.yaml
  GROUPWATCH_CONFIG=config.yaml pipeline rules check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %d rules, %d sinks, %d sources\n", len(cfg.Rules), len(cfg.Sinks), len(cfg.Sources))
			return nil
		},
	}
	cmd.AddCommand(check)
	return cmd
}

func newSinksCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "sinks", Short: "Try the sinks of a configuration"}
	test := &cobra.Command{
		Use:   "test SINK",
		Short: "Send a test message to a sink and print its answer",
		Long: `Send a test message through a sink and print what the other end answered, so that a wrong
webhook or password is found before an alert is lost. Secrets are never printed.`,
		Example: "  pipeline sinks test --config config.yaml team-slack",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			s, ok := cfg.SinkByName(args[0])
			if !ok {
				return fmt.Errorf("no sink named %q in the configuration", args[0])
			}
			logger, err := g.logger()
			if err != nil {
				return err
			}
			sink, err := pipeline.NewSink(s, os.Stdout, logger)
			if err != nil {
				return err
			}
			if c, ok := sink.(io.Closer); ok {
				defer c.Close()
			}
			tester, ok := sink.(interface {
				SendTest(context.Context) (string, error)
			})
			if !ok {
				return fmt.Errorf("sink %s (%s) has nothing to test: it writes locally", s.Name, s.Type)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			answer, err := tester.SendTest(ctx)
			if err != nil {
				return fmt.Errorf("sink %s failed: %w", s.Name, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "sink %s answered: %s\n", s.Name, answer)
			return nil
		},
	}
	cmd.AddCommand(test)
	return cmd
}
