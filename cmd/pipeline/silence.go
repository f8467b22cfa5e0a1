package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

func newSilenceCommand(g *globalFlags) *cobra.Command {
	var (
		duration time.Duration
		key      string
		reason   string
		clear    bool
		list     bool
	)
	cmd := &cobra.Command{
		Use:   "silence [RULE]",
		Short: "Silence a rule, or one key of it, for a while; alerts are stored, not sent",
		Long: `Silence a rule (or one key: a threshold rule's group key, an instant rule's source) for a
while. Alerts it makes meanwhile are stored with the reason (pipeline alerts show ID says it) and
not sent. --clear ends the rule's (or key's) silences now; --list shows those in force.`,
		Example: `  pipeline silence --config config.yaml complaint-spike --for 4h --reason "launch day"
  pipeline silence --config config.yaml complaint-spike --for 24h --key forum:acme-users
  pipeline silence --config config.yaml complaint-spike --clear
  pipeline silence --config config.yaml --list`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			if err := checkSilenceFlags(key, reason); err != nil {
				return err
			}
			admin, err := openAdmin(cfg)
			if err != nil {
				return err
			}
			defer admin.Close()
			ctx, now := context.Background(), time.Now().UTC()
			out := cmd.OutOrStdout()
			if list {
				rows, err := admin.ActiveSilences(ctx, now)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "RULE\tKEY\tUNTIL\tREASON")
				for _, r := range rows {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.Rule, r.Key, r.Until.UTC().Format(time.RFC3339), r.Reason)
				}
				return w.Flush()
			}
			if len(args) != 1 {
				return fmt.Errorf("name the rule to silence (or use --list)")
			}
			rule := args[0]
			found := false
			for _, r := range cfg.Rules {
				found = found || r.Name == rule
			}
			if !found {
				return fmt.Errorf("no rule named %q in the configuration", rule)
			}
			if clear {
				n, err := admin.EndSilences(ctx, rule, key, now)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%d silences of %s ended\n", n, describe(rule, key))
				return nil
			}
			if duration <= 0 {
				return fmt.Errorf("--for: give how long, like 4h or 30m")
			}
			until := now.Add(duration)
			if err := admin.AddSilence(ctx, rule, key, reason, until, now); err != nil {
				return err
			}
			fmt.Fprintf(out, "%s silenced until %s\n", describe(rule, key), until.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().DurationVar(&duration, "for", 0, "how long, e.g. 4h")
	cmd.Flags().StringVar(&key, "key", "", "silence only this key (a threshold rule's group key, an instant rule's source)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, stored with the alerts it suppresses")
	cmd.Flags().BoolVar(&clear, "clear", false, "end the silences of the rule (or key) now")
	cmd.Flags().BoolVar(&list, "list", false, "list the silences in force")
	return cmd
}

func describe(rule, key string) string {
	if key == "" {
		return "rule " + rule
	}
	return "rule " + rule + " key " + key
}

// Lengths of the silences table's columns (schema.sql), checked before anything is written
// so that the error names the flag rather than MySQL's "Data too long".
const (
	maxSilenceKey    = 191
	maxSilenceReason = 255
)

func checkSilenceFlags(key, reason string) error {
	if n := utf8.RuneCountInString(key); n > maxSilenceKey {
		return fmt.Errorf("--key: %d characters, at most %d", n, maxSilenceKey)
	}
	if n := utf8.RuneCountInString(reason); n > maxSilenceReason {
		return fmt.Errorf("--reason: %d characters, at most %d", n, maxSilenceReason)
	}
	if !utf8.ValidString(key) || !utf8.ValidString(reason) {
		return fmt.Errorf("--key and --reason must be valid UTF-8")
	}
	return nil
}
