package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
)

// funcs are the templates' functions for one language.
func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":          func(key string) string { return translate(lang, key) },
		"when":       when,
		"age":        age,
		"dur":        func(d time.Duration) string { return d.Round(time.Second).String() },
		"join":       strings.Join,
		"pathEscape": url.PathEscape,
		"lineChart": func(title string, s []Series, since time.Time) template.HTML {
			return lineChart(title, s, when(since), translate(lang, "now"))
		},
		"dailyChart": func(title string, d RuleDetail) template.HTML {
			labels := make([]string, len(d.Days))
			for i, day := range d.Days {
				labels[i] = day.Format("2006-01-02")
			}
			ref, refLabel := 0.0, ""
			if d.Baseline != "" && d.BaselineLevel > 0 {
				ref, refLabel = d.BaselineLevel, fmt.Sprintf("%s %s (%.1f/day)", translate(lang, "baseline"), d.Baseline, d.BaselineLevel)
			} else if d.Threshold > 0 {
				ref, refLabel = float64(d.Threshold), fmt.Sprintf("%s %d / %s", translate(lang, "threshold"), d.Threshold, d.Window)
			}
			return barChart(title, d.Daily, labels, ref, refLabel)
		},
		"httpURL": func(u string) bool { return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") },
		"canResend": func(ds []Delivery) bool {
			for _, d := range ds {
				if d.Status == "failed" || d.Status == "dead" {
					return true
				}
			}
			return false
		},
		"statusClass": func(s string) string {
			switch s {
			case "sent", "ok":
				return "good"
			case "failed", "paused", "pending", "sending":
				return "warn"
			case "dead", "needs_cookies", "blocked", "error":
				return "bad"
			}
			return ""
		},
	}
}

// when shows a time in UTC, to the second; nothing for nil or zero.
func when(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04:05Z")
	case *time.Time:
		if v == nil {
			return ""
		}
		return when(*v)
	}
	return ""
}

// age is how long ago a time was, rounded for reading.
func age(t *time.Time) string {
	if t == nil {
		return ""
	}
	if d := time.Since(*t); d < time.Hour {
		return d.Round(time.Second).String()
	} else {
		return d.Round(time.Minute).String()
	}
}
