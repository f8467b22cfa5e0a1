package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (c *Console) crawlNow(w http.ResponseWriter, r request) error {
	src := r.PostForm.Get("source")
	job, err := c.opts.Data.CrawlNow(r.Context(), src)
	if err != nil {
		return err
	}
	c.logAction(r, "crawl now", "source", src, "job", job)
	redirect(w, r, "/sources", flashCrawl, job)
	return nil
}

func (c *Console) resend(w http.ResponseWriter, r request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return ErrNotFound
	}
	n, err := c.opts.Data.Resend(r.Context(), id)
	if err != nil {
		return err
	}
	c.logAction(r, "resend", "alert", id, "deliveries", n)
	redirect(w, r, fmt.Sprintf("/alerts/%d", id), flashResend, strconv.FormatInt(n, 10))
	return nil
}

func (c *Console) requeue(w http.ResponseWriter, r request) error {
	topic, ids := r.PostForm.Get("topic"), r.PostForm["id"]
	if len(ids) == 0 {
		return fmt.Errorf("%w: choose at least one entry", ErrInvalid)
	}
	n, err := c.opts.Data.Requeue(r.Context(), topic, ids)
	if err != nil {
		return err
	}
	c.logAction(r, "requeue", "topic", topic, "entries", strings.Join(ids, ","), "moved", n)
	redirect(w, r, "/poison", flashRequeue, strconv.Itoa(n))
	return nil
}

func (c *Console) drop(w http.ResponseWriter, r request) error {
	topic, ids := r.PostForm.Get("topic"), r.PostForm["id"]
	if len(ids) == 0 {
		return fmt.Errorf("%w: choose at least one entry", ErrInvalid)
	}
	n, err := c.opts.Data.Drop(r.Context(), topic, ids)
	if err != nil {
		return err
	}
	c.logAction(r, "drop", "topic", topic, "entries", strings.Join(ids, ","), "dropped", n)
	redirect(w, r, "/poison", flashDrop, strconv.Itoa(n))
	return nil
}

// maxSilence bounds a silence made in the console, so a typo cannot silence a rule for good.
const maxSilence = 90 * 24 * time.Hour

func (c *Console) addSilence(w http.ResponseWriter, r request) error {
	f := r.PostForm
	d, err := time.ParseDuration(strings.TrimSpace(f.Get("duration")))
	if err != nil || d <= 0 || d > maxSilence {
		return fmt.Errorf("%w: duration must be like 30m or 12h, at most %s", ErrInvalid, maxSilence)
	}
	s := Silence{Rule: strings.TrimSpace(f.Get("rule")), Key: strings.TrimSpace(f.Get("key")), Reason: strings.TrimSpace(f.Get("reason")),
		Until: c.opts.Now().Add(d).UTC()}
	if s.Rule == "" {
		return fmt.Errorf("%w: choose a rule", ErrInvalid)
	}
	if err := c.opts.Data.AddSilence(r.Context(), s); err != nil {
		return err
	}
	c.logAction(r, "silence", "rule", s.Rule, "key", s.Key, "until", s.Until.Format(time.RFC3339), "reason", s.Reason)
	redirect(w, r, "/silences", flashSilence, s.Rule)
	return nil
}

func (c *Console) clearSilences(w http.ResponseWriter, r request) error {
	rule, key := r.PostForm.Get("rule"), r.PostForm.Get("key")
	n, err := c.opts.Data.EndSilences(r.Context(), rule, key)
	if err != nil {
		return err
	}
	c.logAction(r, "clear silence", "rule", rule, "key", key, "ended", n)
	redirect(w, r, "/silences", flashClear, strconv.FormatInt(n, 10))
	return nil
}
