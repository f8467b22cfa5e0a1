package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/config"
	"groupwatch/pipeline"
)

func newRulesCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Check and try the rules of a configuration"}
	check := &cobra.Command{
		Use:   "check",
		Short: "Validate every rule, sink and source (reading its cookie file); exit 1 on any error, each naming its field",
		Example: `  pipeline rules check --config config.yaml
  GROUPWATCH_CONFIG=config.yaml pipeline rules check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			// Cookie files are read only when their source is crawled: read them all now.
			if errs := pipeline.CheckSourceCookies(cfg); len(errs) > 0 {
				return fmt.Errorf("invalid cookies:\n%w", errors.Join(errs...))
			}
			logger, err := g.logger()
			if err != nil {
				return err
			}
			if err := pipeline.CheckBuild(cfg, logger); err != nil {
				return fmt.Errorf("invalid config: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %d rules, %d sinks, %d sources\n", len(cfg.Rules), len(cfg.Sinks), len(cfg.Sources))
			return nil
		},
	}
	var since string
	var asJSON bool
	test := &cobra.Command{
		Use:   "test RULE",
		Short: "Run a rule over stored posts and print what it would have fired; sends nothing",
		Long: `Run one rule of the configuration (as it is in the file now) over the posts stored since a
time, through the same match and evaluate code as the pipeline, on a simulated clock (each
post's first sight) and in-memory state: it prints each alert the rule would have made, and
those a silence in force now would suppress, with the reason. Nothing is written or sent.`,
		Example: `  pipeline rules test --config config.yaml complaint-spike --since 7d
  pipeline rules test --config config.yaml iphone-deals --since 48h --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			var rule *config.Rule
			for i := range cfg.Rules {
				if cfg.Rules[i].Name == args[0] {
					rule = &cfg.Rules[i]
				}
			}
			if rule == nil {
				return fmt.Errorf("no rule named %q in the configuration", args[0])
			}
			window, err := parseSince(since)
			if err != nil {
				return err
			}
			admin, err := openAdmin(cfg)
			if err != nil {
				return err
			}
			defer admin.Close()
			rep, err := admin.TestRule(context.Background(), *rule, time.Now().Add(-window))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			fmt.Fprintf(out, "rule %s over %d posts since %s: %d matched, %d alerts\n\n", rep.Rule, rep.Posts, rep.Since.Format(time.RFC3339), rep.Matches, len(rep.Alerts))
			w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "AT\tPOST\tTERMS\tWOULD\tTEXT")
			for _, a := range rep.Alerts {
				would := "fire"
				if a.Summary != "" {
					would = "fire: " + a.Summary
				}
				if a.Suppressed != "" {
					would = "be suppressed: " + a.Suppressed
				}
				fmt.Fprintf(w, "%s\t%s/%s\t%s\t%s\t%s\n", a.At.Format(time.RFC3339), a.Source, a.ExternalID,
					strings.Join(a.TermsShown(), ","), would, excerpt(a.Text, 60))
			}
			return w.Flush()
		},
	}
	test.Flags().StringVar(&since, "since", "7d", "how far back: 7d, 48h, 30m")
	test.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(check, test)
	return cmd
}

// parseSince reads a duration that may be in days ("7d"), refusing one too long to count.
func parseSince(s string) (time.Duration, error) {
	d, err := pipeline.ParseAgo(s)
	if err != nil {
		return 0, fmt.Errorf("--since %w", err)
	}
	return d, nil
}

// excerpt is the first n characters of text on one line.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n]) + "…"
	}
	return text
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
			sink, err := pipeline.NewSink(s, os.Stdout, nil, logger)
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
