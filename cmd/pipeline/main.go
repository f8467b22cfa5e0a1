// Command pipeline runs groupwatch: `pipeline run` carries posts from Redis Streams through
// normalize, match, evaluate and notify into MySQL; `migrate` and `ingest` help around it.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries an exit code out of a command that has already said what went wrong.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	root := newRootCommand()
	if err := root.Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "pipeline",
		Short: "groupwatch: watch online communities and alert when something you care about is said",
		Long: `groupwatch reads posts from Redis Streams, normalizes them, matches them against keyword
rules, stores matches and alerts in MySQL and sends alerts to sinks.

Configuration is one YAML file (--config, or GROUPWATCH_CONFIG). GROUPWATCH_REDIS_URL and
GROUPWATCH_MYSQL_DSN override its connections. With neither Redis nor MySQL configured,
'pipeline run' starts in-process stand-ins and nothing persists.`,
		Example: `  pipeline run --config example/config.yaml --ingest example/posts.jsonl --drain
  pipeline migrate --config config.yaml
  pipeline ingest --config config.yaml posts.jsonl`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.configPath, "config", "", "config file (default $GROUPWATCH_CONFIG)")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "", "log format: json or text (default: json when stdout is not a terminal)")
	root.AddCommand(newRunCommand(g), newMigrateCommand(g), newIngestCommand(g), newParseCommand(), newCrawlCommand(g),
		newAlertsCommand(g), newRulesCommand(g), newSinksCommand(g), newStatusCommand(g), newSilenceCommand(g), newReplayCommand(g), newBackfillCommand(g),
		newConsoleCommand(g), newPoisonCommand(g), newPurgeCommand(g))
	return root
}
