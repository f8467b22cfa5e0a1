package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/crawl"
	"groupwatch/pipeline"
	"groupwatch/sources"
)

func newCrawlCommand(g *globalFlags) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "crawl SOURCE",
		Short: "Crawl one source now and print what it found",
		Long: `Crawl one configured source now, as its scheduled job would: pages fetched politely, new posts
published to posts.raw, the run recorded in crawl_runs. A paused source, or one that needs new
cookies, is crawled all the same: this is how to check renewed cookies, and a good page sets the
source back to ok. --dry-run publishes nothing and stores nothing (it still asks MySQL which
posts are known, when one is configured). A source whose scheduled job is queued or running
is not crawled: the error names the job; try again once it is done.

Exit status: 0 when the verdict is ok; 2 when the crawl ran but its verdict is anything else
(fetch_failed, unexpected, login_wall, blocked, checkpoint, not_found, consent: the printed
JSON says which, and "problem" why); 1 when it could not run at all.`,
		Example: `  pipeline crawl --config config.yaml hk-buy-sell --dry-run
  pipeline crawl --config config.yaml hk-buy-sell`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			logger, err := g.logger()
			if err != nil {
				return err
			}
			if cfg.Embedded() && !dryRun {
				return errNoServer
			}
			res, err := pipeline.CrawlOnce(context.Background(), cfg, args[0], dryRun, time.Now(), logger)
			if err != nil {
				return err
			}
			if err := printCrawl(cmd, args[0], res); err != nil {
				return err
			}
			if res.Verdict != string(sources.VerdictOK) {
				fmt.Fprintf(cmd.ErrOrStderr(), "crawl of %s ended with verdict %s\n", args[0], res.Verdict)
				return exitError{crawlNotOK}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "publish nothing and store nothing")
	return cmd
}

// crawlNotOK is the exit status of a crawl that ran to a verdict other than ok.
const crawlNotOK = 2

func printCrawl(cmd *cobra.Command, source string, res crawl.Result) error {
	posts := res.Posts
	if posts == nil {
		posts = []sources.Post{}
	}
	out := struct {
		Source  string         `json:"source"`
		Verdict string         `json:"verdict"`
		Pages   int            `json:"pages"`
		New     int            `json:"new"`
		Seen    int            `json:"seen"`
		Problem string         `json:"problem,omitempty"`
		Note    string         `json:"note,omitempty"`
		Posts   []sources.Post `json:"posts"`
	}{source, res.Verdict, res.Pages, res.New, res.Seen, res.Err, res.Note, posts}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
