package main

import (
	"github.com/spf13/cobra"

	"groupwatch/pipeline"
)

func newConsoleCommand(g *globalFlags) *cobra.Command {
	var opts pipeline.ConsoleOptions
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Serve the operations console alone, without running any stage",
		Long: `Serve the console (overview, sources, rules, alerts, poison, silences) over the configured
Redis and MySQL, with /healthz, /readyz and /metrics beside it. 'pipeline run --http ADDR'
serves the same console inside a running pipeline.

Every page needs admin.token (or GROUPWATCH_ADMIN_TOKEN): log in through the form; a
read-only admin.read_token may be set too. Actions (resend, requeue, crawl now, silences)
are carried out by the running 'pipeline run' processes.`,
		Example: `  GROUPWATCH_ADMIN_TOKEN=$(cat /run/secrets/console) pipeline console --config config.yaml --http 127.0.0.1:8081`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			logger, err := g.logger()
			if err != nil {
				return err
			}
			return runApp(pipeline.NewConsoleApp(cfg, opts, logger))
		},
	}
	cmd.Flags().StringVar(&opts.HTTPAddr, "http", "127.0.0.1:8081", "listen on this address")
	return cmd
}
