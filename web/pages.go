package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (c *Console) overviewPage(w http.ResponseWriter, r request) error {
	o, err := c.opts.Data.Overview(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "overview", translate(r.lang, "Overview"), "overview", o, "")
	return nil
}

// overviewLive is the overview's body alone, which static/app.js fetches every few seconds
// and puts in place: the page refreshes without reloading.
func (c *Console) overviewLive(w http.ResponseWriter, r request) error {
	o, err := c.opts.Data.Overview(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "overview-body", "", "overview", o, "")
	return nil
}

func (c *Console) sourcesPage(w http.ResponseWriter, r request) error {
	srcs, err := c.opts.Data.Sources(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "sources", translate(r.lang, "Sources"), "sources", srcs, "")
	return nil
}

func (c *Console) rulesPage(w http.ResponseWriter, r request) error {
	rules, err := c.opts.Data.Rules(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "rules", translate(r.lang, "Rules"), "rules", rules, "")
	return nil
}

// ruleView is a rule's page, with a rule test's result when the form asked for one.
type ruleView struct {
	Rule RuleDetail
	Days int
	Test *RuleTest
}

func (c *Console) rulePage(w http.ResponseWriter, r request) error {
	name := r.PathValue("name")
	d, err := c.opts.Data.Rule(r.Context(), name, 30)
	if err != nil {
		return err
	}
	v := ruleView{Rule: d, Days: 7}
	// The test is a GET: it only reads (the simulation writes and sends nothing).
	if days := r.URL.Query().Get("test_days"); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 90 {
			return fmt.Errorf("%w: days must be between 1 and 90", ErrInvalid)
		}
		v.Days = n
		t, err := c.opts.Data.TestRule(r.Context(), name, n)
		if err != nil {
			return err
		}
		v.Test = &t
	}
	c.render(w, r, http.StatusOK, "rule", d.Name, "rules", v, "")
	return nil
}

// alertsView is the alert search: its form's values and what it found.
type alertsView struct {
	Rule, Source, Status, From, To string
	Alerts                         []Alert
	Statuses                       []string
}

func (c *Console) alertsPage(w http.ResponseWriter, r request) error {
	q := r.URL.Query()
	v := alertsView{Rule: q.Get("rule"), Source: q.Get("source"), Status: q.Get("status"), From: q.Get("from"), To: q.Get("to"),
		Statuses: []string{"pending", "sending", "sent", "failed", "dead"}}
	f := AlertFilter{Rule: v.Rule, Source: v.Source, Status: v.Status, Limit: 200}
	var err error
	if f.From, err = parseWhen(v.From); err != nil {
		return err
	}
	if f.To, err = parseWhen(v.To); err != nil {
		return err
	}
	if v.Alerts, err = c.opts.Data.Alerts(r.Context(), f); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "alerts", translate(r.lang, "Alerts"), "alerts", v, "")
	return nil
}

// parseWhen reads a time of the search form: a date, a datetime-local value, or RFC 3339,
// taken as UTC.
func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a date or time (2006-01-02 or 2006-01-02T15:04)", ErrInvalid, s)
}

func (c *Console) alertPage(w http.ResponseWriter, r request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return ErrNotFound
	}
	a, err := c.opts.Data.Alert(r.Context(), id)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "alert", fmt.Sprintf("%s %d", translate(r.lang, "Alert"), a.ID), "alerts", a, "")
	return nil
}

func (c *Console) poisonPage(w http.ResponseWriter, r request) error {
	topics, err := c.opts.Data.Poison(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "poison", translate(r.lang, "Poison"), "poison", topics, "")
	return nil
}

func (c *Console) poisonEntryPage(w http.ResponseWriter, r request) error {
	q := r.URL.Query()
	e, err := c.opts.Data.PoisonEntry(r.Context(), q.Get("topic"), q.Get("id"))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "poison-entry", e.ID, "poison", e, "")
	return nil
}

func (c *Console) silencesPage(w http.ResponseWriter, r request) error {
	s, err := c.opts.Data.Silences(r.Context())
	if err != nil {
		return err
	}
	rules, err := c.opts.Data.Rules(r.Context())
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "silences", translate(r.lang, "Silences"), "silences", silencesView{Silences: s, Rules: rules,
		Rule: strings.TrimSpace(r.URL.Query().Get("rule"))}, "")
	return nil
}

type silencesView struct {
	Silences []Silence
	Rules    []Rule
	Rule     string // preselected in the form
}
