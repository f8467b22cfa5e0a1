package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/pipeline"
)

// openAdmin connects to the configured MySQL for the admin commands.
func openAdmin(cfg *config.Config) (*pipeline.Admin, error) {
	if cfg.Embedded() {
		return nil, errNoServer
	}
	return pipeline.OpenAdmin(context.Background(), cfg)
}

// openAlert reads an alert id argument and connects to MySQL.
func openAlert(g *globalFlags, arg string) (int64, *pipeline.Admin, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("alert id %q is not a number", arg)
	}
	cfg, err := g.config()
	if err != nil {
		return 0, nil, err
	}
	admin, err := openAdmin(cfg)
	return id, admin, err
}

// deliveryStatuses are the values of deliveries.status, in the order a delivery goes.
var deliveryStatuses = []string{handlers.DeliveryPending, handlers.DeliverySending, handlers.DeliverySent, handlers.DeliveryFailed, handlers.DeliveryDead}

// checkDeliveryStatus refuses a --status no delivery can have: it would list nothing and
// look like good news.
func checkDeliveryStatus(s string) error {
	if s == "" || slices.Contains(deliveryStatuses, s) {
		return nil
	}
	return fmt.Errorf("--status %q: want one of %s", s, strings.Join(deliveryStatuses, ", "))
}

func newAlertsCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List, explain and re-send stored alerts",
		Example: `  pipeline alerts list --config config.yaml --status dead
  pipeline alerts show --config config.yaml 42
  pipeline alerts resend --config config.yaml 42`,
	}
	var status string
	var limit int32
	list := &cobra.Command{
		Use:     "list",
		Short:   "List the newest alerts, or those with a delivery in a status",
		Example: "  pipeline alerts list --config config.yaml --status dead --limit 20",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkDeliveryStatus(status); err != nil {
				return err
			}
			cfg, err := g.config()
			if err != nil {
				return err
			}
			admin, err := openAdmin(cfg)
			if err != nil {
				return err
			}
			defer admin.Close()
			rows, err := admin.ListAlerts(context.Background(), status, limit)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tCREATED\tRULE\tSOURCE\tPOST\tTERMS")
			for _, r := range rows {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.CreatedAt.UTC().Format(time.RFC3339), r.Rule, r.Source, r.ExternalID, r.Terms)
			}
			return w.Flush()
		},
	}
	list.Flags().StringVar(&status, "status", "", "only alerts with a delivery in this status: pending, sending, sent, failed, dead")
	list.Flags().Int32Var(&limit, "limit", 50, "at most this many alerts")

	show := &cobra.Command{
		Use:     "show ID",
		Short:   "Say why an alert fired and where it was delivered",
		Example: "  pipeline alerts show --config config.yaml 42",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, admin, err := openAlert(g, args[0])
			if err != nil {
				return err
			}
			defer admin.Close()
			ctx := context.Background()
			a, err := admin.Alert(ctx, id)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "alert %d (%s), created %s\n", a.ID, a.Kind, a.CreatedAt.UTC().Format(time.RFC3339))
			onPost := a.Source != ""
			if onPost {
				fmt.Fprintf(out, "why: rule %q (query %s) matched %s in post %s/%s\n", a.Rule, a.RuleQuery, termsList(a.Terms), a.Source, a.ExternalID)
			} else {
				fmt.Fprintf(out, "why: %s (%s)\n", a.Rule, a.Kind)
			}
			if a.Summary != "" {
				fmt.Fprintf(out, "fired on: %s\n", a.Summary)
			}
			fmt.Fprintf(out, "dedup key: %s\npublished to the alerts topic: %v\n", a.DedupKey, a.Published)
			if a.Suppressed != "" {
				fmt.Fprintf(out, "not sent: %s\n", a.Suppressed)
			}
			if onPost {
				fmt.Fprintf(out, "post by %s", a.Author)
				if a.PostedAt != nil {
					fmt.Fprintf(out, " at %s", a.PostedAt.UTC().Format(time.RFC3339))
				}
				fmt.Fprintf(out, " %s\n%s\n", a.URL, a.Text)
			}
			fmt.Fprintf(out, "\ndeliveries:\n")
			w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "SINK\tSTATUS\tATTEMPTS\tNEXT ATTEMPT\tLAST ERROR")
			for _, d := range a.Deliveries {
				next := ""
				if d.NextAttemptAt != nil {
					next = d.NextAttemptAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", d.Sink, d.Status, d.Attempts, next, d.LastError)
			}
			return w.Flush()
		},
	}

	resend := &cobra.Command{
		Use:     "resend ID",
		Short:   "Try every failed or dead delivery of an alert again now",
		Example: "  pipeline alerts resend --config config.yaml 42",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, admin, err := openAlert(g, args[0])
			if err != nil {
				return err
			}
			defer admin.Close()
			n, err := admin.ResendDeliveries(context.Background(), id, time.Now().UTC())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d deliveries of alert %d will be tried again by a running pipeline\n", n, id)
			return nil
		},
	}
	cmd.AddCommand(list, show, resend)
	return cmd
}

// termsList shows matched terms as they are stored, a JSON list: ["acme","refund"].
func termsList(terms []string) string {
	if terms == nil {
		terms = []string{}
	}
	b, err := json.Marshal(terms)
	if err != nil { // a []string always marshals; say so rather than print nothing
		return fmt.Sprint(terms)
	}
	return string(b)
}
