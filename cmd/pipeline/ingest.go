package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"groupwatch/pipeline"
)

func newIngestCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "ingest FILE|-",
		Short: "Publish posts from a JSON-lines file to posts.raw",
		Long: `Read JSON lines {"source","external_id","author","text","url","posted_at"} and publish each
to posts.raw. posted_at is RFC 3339; unknown fields are kept in the raw payload. A bad line is
reported with its number and reason and skipped; the rest are published.

Exit status: 0 when every line was published, 2 when some lines were bad, 1 on an error.`,
		Example: `  pipeline ingest --config config.yaml example/posts.jsonl
  crawler | pipeline ingest --config config.yaml -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.serverConfig()
			if err != nil {
				return err
			}
			logger, err := g.logger()
			if err != nil {
				return err
			}
			ctx := context.Background()
			topic := pipeline.TopicsOf(cfg).Raw()
			res, err := pipeline.PublishFile(ctx, cfg, args[0], logger)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %d posts to %s; %d bad lines\n", res.Published, topic, len(res.Bad))
			if len(res.Bad) > 0 {
				return exitError{pipeline.ExitBadInput}
			}
			return nil
		},
	}
}
