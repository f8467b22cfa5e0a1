package main

import (
	"context"

	"github.com/spf13/cobra"
	"go.uber.org/dig"
	"go.uber.org/fx"

	"groupwatch/pipeline"
)

func newRunCommand(g *globalFlags) *cobra.Command {
	var opts pipeline.RunOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the pipeline: normalize, match, evaluate and notify",
		Long: `Run every stage of the pipeline in this process. Any number of processes can run at once:
they share each stage's consumer group. SIGINT or SIGTERM stops it; messages in flight
finish within the close timeout or stay pending for another consumer.

Exit status: 0 when stopped or drained, 1 on an error, 2 when --ingest rejected some lines.`,
		Example: `  # batch mode on the embedded default: a file in, alerts out, exit
  pipeline run --config example/config.yaml --ingest example/posts.jsonl --drain

  # only the crawler on this box, only the notifiers on another
  pipeline run --config config.yaml --handlers crawl
  pipeline run --config config.yaml --handlers notify --consumers notify=8

  # a long-running worker against real Redis and MySQL, with health and metrics
  GROUPWATCH_REDIS_URL=redis://127.0.0.1:6379/0 \
  GROUPWATCH_MYSQL_DSN='root@tcp(127.0.0.1:3306)/groupwatch' \
  pipeline run --config config.yaml --http 127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			logger, err := g.logger()
			if err != nil {
				return err
			}
			return runApp(pipeline.NewRunApp(cfg, opts, logger))
		},
	}
	cmd.Flags().BoolVar(&opts.Drain, "drain", false, "exit 0 once every consumer group has caught up (no lag, nothing pending)")
	cmd.Flags().StringVar(&opts.Ingest, "ingest", "", "publish this JSON-lines file (- for stdin) to posts.raw at start")
	cmd.Flags().StringVar(&opts.HTTPAddr, "http", "", "serve /healthz, /readyz, /metrics and, with admin.token, the console at / on this address (e.g. 127.0.0.1:8080)")
	cmd.Flags().StringVar(&opts.Instance, "instance", "", "name of this process in consumer names (default $GROUPWATCH_INSTANCE, else hostname-pid)")
	cmd.Flags().StringSliceVar(&opts.Handlers, "handlers", nil, "run only these stages: crawl, normalize, match, evaluate, notify (default all)")
	cmd.Flags().StringToIntVar(&opts.Consumers, "consumers", nil, "concurrent consumers per stage in this process, e.g. normalize=64,notify=4")
	return cmd
}

// runApp starts an fx app, waits until it is told to stop (a signal, or the app itself, as
// --drain does), stops it and returns its exit code as an exitError.
func runApp(app *fx.App) error {
	if err := app.Err(); err != nil {
		// fx wraps the cause in the whole chain of constructors; say the cause.
		return dig.RootCause(err)
	}
	startCtx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		return dig.RootCause(err)
	}
	sig := <-app.Wait()
	stopCtx, cancelStop := context.WithTimeout(context.Background(), app.StopTimeout())
	defer cancelStop()
	if err := app.Stop(stopCtx); err != nil {
		return err
	}
	if sig.ExitCode != 0 {
		return exitError{sig.ExitCode}
	}
	return nil
}
