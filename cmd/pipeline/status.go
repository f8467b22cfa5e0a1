package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/pipeline"
)

func newStatusCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show topics, consumer groups, sources and deliveries",
		Long: `Per topic: length, oldest and newest entry; per consumer group: lag, pending, consumers, how
many hold entries and the longest idle of those (a dead consumer's entries are claimed once it
passes pipeline.claim_idle); per source: state, last crawl and verdict, next due; deliveries by
status. --json has every consumer. No secret is shown.

With Redis or MySQL down, it prints what the other holds, marks the missing part
"unreachable", and exits 1.`,
		Example: `  pipeline status --config config.yaml
  pipeline status --config config.yaml --json | jq '.topics[] | select(.length > 0)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			cfg, err := g.serverConfig()
			if err != nil {
				return err
			}
			rep, err := pipeline.StatusOf(context.Background(), cfg)
			if err != nil {
				return err
			}
			defer func() {
				if len(rep.Unreachable) > 0 && err == nil {
					err = errUnreachable{rep.Unreachable}
				}
			}()
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return printStatus(cmd.OutOrStdout(), rep)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printStatus(out io.Writer, rep pipeline.StatusReport) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	if why, ok := rep.Unreachable[pipeline.StatusRedis]; ok {
		fmt.Fprintf(w, "TOPICS AND GROUPS: unreachable (redis: %s)\n\n", why)
	}
	fmt.Fprintln(w, "TOPIC\tLENGTH\tOLDEST\tNEWEST")
	for _, t := range rep.Topics {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", t.Topic, t.Length, stamp(t.Oldest), stamp(t.Newest))
		for _, p := range t.Partitions { // topics.partitions over 1: the topic's figures are their sums
			fmt.Fprintf(w, "  %s\t%d\t%s\t%s\n", p.Topic, p.Length, stamp(p.Oldest), stamp(p.Newest))
		}
	}
	fmt.Fprintln(w, "\nTOPIC\tGROUP\tLAG\tPENDING\tCONSUMERS\tHOLDING ENTRIES\tLONGEST IDLE HOLDER")
	for _, t := range withPartitions(rep.Topics) {
		for _, gr := range t.Groups {
			holding := 0
			var idle time.Duration
			for _, c := range gr.Consumers {
				if c.Pending > 0 {
					holding++
					idle = max(idle, c.Idle)
				}
			}
			lag := fmt.Sprint(gr.Lag)
			if gr.LagAtLeast {
				lag += "+"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", t.Topic, gr.Group, lag, gr.Pending, len(gr.Consumers), holding, idle.Round(time.Second))
		}
	}
	fmt.Fprintln(w, "\nTOPIC\tMEMORY\tMAX AGE\tTRIMMING WOULD REMOVE\tHELD BACK BY")
	for _, t := range rep.Topics {
		r := t.Retention
		if r == nil {
			continue
		}
		memory, age, removable, held := "-", "never trimmed", "-", "-"
		if r.Bytes > 0 {
			memory = fmt.Sprintf("%.1f MiB", float64(r.Bytes)/(1<<20))
		}
		if r.MaxAge > 0 {
			age, removable = r.MaxAge.String(), fmt.Sprint(r.Removable)
			if r.RemovableAtLeast {
				removable += "+"
			}
		}
		if r.HeldBy != "" {
			held = fmt.Sprintf("%s (%s)", r.HeldBy, r.HeldFor)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.Topic, memory, age, removable, held)
	}
	for _, t := range rep.Topics {
		for _, gr := range t.Groups {
			if gr.Error != "" {
				fmt.Fprintf(w, "ERROR %s/%s: %s\n", t.Topic, gr.Group, gr.Error)
			}
		}
	}
	if len(rep.Sources) > 0 {
		fmt.Fprintln(w, "\nSOURCE\tKIND\tSTATE\tLAST CRAWL\tVERDICT\tNEXT DUE")
		for _, s := range rep.Sources {
			state := s.State
			if s.PausedUntil != nil {
				state += " until " + stamp(s.PausedUntil)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, state, stamp(s.LastCrawl), s.LastVerdict, stamp(s.NextDue))
		}
	}
	if why, ok := rep.Unreachable[pipeline.StatusMySQL]; ok {
		fmt.Fprintf(w, "\nDELIVERIES AND SOURCE STATES: unreachable (mysql: %s)\n", why)
		return w.Flush()
	}
	fmt.Fprintln(w, "\nDELIVERIES\tCOUNT")
	for _, st := range []string{"pending", "sending", "failed", "dead", "sent"} {
		n := fmt.Sprint(rep.Deliveries[st])
		if st == "sent" && rep.Deliveries[st] >= pipeline.SentCountCap {
			n = "at least " + n // counted no further (status stays fast at millions)
		}
		fmt.Fprintf(w, "%s\t%s\n", st, n)
	}
	return w.Flush()
}

// withPartitions lists each topic followed by its partitions, if it has more than one.
func withPartitions(topics []pipeline.TopicStatus) []pipeline.TopicStatus {
	var out []pipeline.TopicStatus
	for _, t := range topics {
		out = append(out, t)
		for _, p := range t.Partitions {
			p.Topic = "  " + p.Topic
			out = append(out, p)
		}
	}
	return out
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// errUnreachable makes status exit 1 after printing what it could.
type errUnreachable struct{ what map[string]string }

func (e errUnreachable) Error() string {
	var names []string
	for k := range e.what {
		names = append(names, k)
	}
	sort.Strings(names)
	return "unreachable: " + strings.Join(names, ", ")
}
