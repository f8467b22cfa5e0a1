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

func newMigrateCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the schema migrations MySQL lacks; safe to run again",
		Long: `Applies the versioned migrations built into this binary that the database lacks, in order,
recording each in the goose_db_version table. It holds a MySQL advisory lock (GET_LOCK) while
it works, so replicas that start together take turns and the later ones find nothing to do.

A database made by 'pipeline migrate' before migrations were versioned (it has the tables but
no goose_db_version) is adopted as version 1 without touching a row; later versions then apply.

'pipeline run' refuses to start against a database that lacks a migration it needs.`,
		Example: `  pipeline migrate --config config.yaml
  pipeline migrate status --config config.yaml
  GROUPWATCH_MYSQL_DSN='root@tcp(127.0.0.1:3306)/groupwatch' pipeline migrate --config config.yaml`,
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
			applied, err := pipeline.Migrate(context.Background(), cfg, logger)
			for _, m := range applied {
				fmt.Fprintf(cmd.OutOrStdout(), "applied %d %s\n", m.Version, m.Name)
			}
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "nothing to apply: the database has every migration")
			}
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "List the migrations and whether the database has each; only reads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.serverConfig()
			if err != nil {
				return err
			}
			all, err := pipeline.MigrationStatus(context.Background(), cfg)
			if err != nil {
				return err
			}
			printMigrations(cmd.OutOrStdout(), all)
			return nil
		},
	})
	return cmd
}

func printMigrations(w io.Writer, all []pipeline.Migration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT")
	for _, m := range all {
		state, at := "pending", ""
		if m.Applied {
			state, at = "applied", m.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.Version, m.Name, state, at)
	}
	tw.Flush()
	pending := 0
	for _, m := range all {
		if !m.Applied {
			pending++
		}
	}
	if pending > 0 {
		fmt.Fprintf(w, "%d pending: run 'pipeline migrate'\n", pending)
	}
}
