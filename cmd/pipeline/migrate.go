package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"groupwatch"
	"groupwatch/store"
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
			ctx := context.Background()
			db, err := store.Open(ctx, cfg.MySQL.DSN, 1)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := store.Migrate(ctx, db, groupwatch.Schema); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "schema applied (%d statements)\n", len(store.Statements(groupwatch.Schema)))
			return nil
		},
	}
}
