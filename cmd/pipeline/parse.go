package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/sources"
)

// parseFlags are the flags of `pipeline parse`.
type parseFlags struct {
	kind, fetchedAt, selectors, url, timezone, charset string
}

func newParseCommand() *cobra.Command {
	var f parseFlags
	cmd := &cobra.Command{
		Use:   "parse --kind facebook_group|html|feed [flags] PAGE.html|-",
		Short: "Read posts from a saved page and print them as JSON",
		Long: `Classify a saved page and read its posts and next-page link, as the crawler will, and print
one JSON object:

  {"verdict": "...", "next": "...", "posts": [{"external_id", "author", "author_url", "text",
   "posted_at", "posted_at_text", "likes", "comments", "shares", "url", "images",
   "shared_external_id"}, ...]}

verdict is ok, login_wall, blocked, checkpoint, not_found, consent or unexpected (then "body"
holds the first 64 KiB of the page). posted_at is RFC 3339 in UTC, left out when the page
does not say. Relative times ("9 hrs") are read against --fetched-at, by default the file's
modification time. A single-post page adds "comments".

--kind facebook_group reads Facebook group and page feeds (m.facebook.com markup), single
posts and page-feed cursor responses. --kind html reads any listing page through a YAML or
JSON selectors file (see sources/testdata/selectors/ for examples).

Exit status: 0 when the page was read, whatever its verdict; 1 when it could not be.`,
		Example: `  pipeline parse --kind facebook_group saved/group-feed.html
  pipeline parse --kind facebook_group --fetched-at 2021-06-08T22:52:51Z --timezone America/Los_Angeles page.html
  pipeline parse --kind facebook_group --url 'https://m.facebook.com/login/?next=x' redirected.html
  pipeline parse --kind html --selectors sources/testdata/selectors/hn_front.yaml news.html
  curl -s https://news.ycombinator.com/ | pipeline parse --kind html --selectors hn_front.yaml -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runParse(cmd.OutOrStdout(), cmd.InOrStdin(), f, args[0])
		},
	}
	cmd.Flags().StringVar(&f.kind, "kind", "", "page kind: facebook_group or html (required)")
	cmd.Flags().StringVar(&f.fetchedAt, "fetched-at", "", "when the page was fetched, RFC 3339 (default: the file's modification time; now for -)")
	cmd.Flags().StringVar(&f.selectors, "selectors", "", "YAML or JSON selectors file (--kind html)")
	cmd.Flags().StringVar(&f.url, "url", "", "the page's final URL: base of relative links, and tells login redirects")
	cmd.Flags().StringVar(&f.timezone, "timezone", "UTC", "IANA time zone the page shows times in")
	cmd.Flags().StringVar(&f.charset, "charset", "", "the page's charset (big5, gbk, gb18030, ...); default: its BOM or <meta charset>, else detected")
	return cmd
}

func runParse(out io.Writer, stdin io.Reader, f parseFlags, path string) error {
	loc, err := time.LoadLocation(f.timezone)
	if err != nil {
		return fmt.Errorf("invalid --timezone %q: %w", f.timezone, err)
	}
	switch {
	case f.kind == "":
		return fmt.Errorf("no --kind: want %s or %s", sources.KindFacebookGroup, sources.KindHTML)
	case f.kind == string(sources.KindHTML) && f.selectors == "":
		return fmt.Errorf("--kind html needs --selectors FILE, a YAML or JSON file of CSS selectors")
	case f.kind == string(sources.KindFacebookGroup) && f.selectors != "":
		return fmt.Errorf("--selectors is only for --kind html: the facebook_group selectors are built in")
	}
	parser, err := sources.NewParser(sources.Kind(f.kind), sources.ParserOptions{SelectorsFile: f.selectors, Location: loc})
	if err != nil {
		return err
	}
	body, modified, err := readPage(stdin, path)
	if err != nil {
		return err
	}
	fetched := modified
	if f.fetchedAt != "" {
		if fetched, err = time.Parse(time.RFC3339, f.fetchedAt); err != nil {
			return fmt.Errorf("invalid --fetched-at %q: want RFC 3339, like 2021-06-08T22:52:51Z", f.fetchedAt)
		}
	}
	contentType, err := sources.CharsetContentType(f.charset)
	if err != nil {
		return fmt.Errorf("invalid --charset: %w", err)
	}
	page, err := parser.Parse(sources.Response{Body: body, URL: f.url, FetchedAt: fetched, ContentType: contentType})
	if err != nil {
		return fmt.Errorf("cannot parse %s: %w", path, err)
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false) // URLs keep their & and the text its <
	return enc.Encode(page)
}

// readPage reads the file, or standard input for "-", with its modification time (now for
// standard input).
func readPage(stdin io.Reader, path string) ([]byte, time.Time, error) {
	if path == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("cannot read standard input: %w", err)
		}
		return b, time.Now(), nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cannot read page: %w", err)
	}
	if info.IsDir() {
		return nil, time.Time{}, fmt.Errorf("cannot read page: %s is a directory", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cannot read page: %w", err)
	}
	return b, info.ModTime(), nil
}
