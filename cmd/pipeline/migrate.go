package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"groupwatch/pipeline"
)

func newMigrateCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply schema.sql to MySQL; safe to run again",
		Example: `  pipeline migrate --config config.yaml
  GROUPWATCH_MYSQL_DSN='root@tcp(127.0.0.1:3306)/groupwatch' pipeline migrate --config config.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			if cfg.Embedded() {
				return errNoServer
			}
			n, err := pipeline.Migrate(context.Background(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "schema applied (%d statements)\n", n)
			return nil
		},
	}
}
