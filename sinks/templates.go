package sinks

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"

	"groupwatch/config"
	"groupwatch/handlers"
)

// RuleTemplates are one rule's overrides of how its alerts read.
type RuleTemplates struct {
	Text *texttemplate.Template
	HTML *htmltemplate.Template
}

// TemplateData is what a rule's template sees: the alert's fields, and in email HTML the
// content id of the trend chart (use it as src="cid:{{.ChartCID}}").
type TemplateData struct {
	handlers.Alert
	ChartCID string
}

// CompileTemplates parses the templates of every rule that has some. The configuration
// already checked them; an error here names the rule.
func CompileTemplates(rules []config.Rule) (map[string]RuleTemplates, error) {
	out := map[string]RuleTemplates{}
	for _, r := range rules {
		var t RuleTemplates
		var err error
		if r.Templates.Text != "" {
			if t.Text, err = texttemplate.New(r.Name).Option("missingkey=error").Parse(r.Templates.Text); err != nil {
				return nil, fmt.Errorf("rule %s: text template: %w", r.Name, err)
			}
		}
		if r.Templates.HTML != "" {
			if t.HTML, err = htmltemplate.New(r.Name).Option("missingkey=error").Parse(r.Templates.HTML); err != nil {
				return nil, fmt.Errorf("rule %s: html template: %w", r.Name, err)
			}
		}
		if t.Text != nil || t.HTML != nil {
			out[r.Name] = t
		}
	}
	return out, nil
}

// renderText executes a text template over the alert. A template that fails on this alert
// is the rule's author's bug and no retry fixes it: the error is permanent.
func renderRuleText(t *texttemplate.Template, a handlers.Alert) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, TemplateData{Alert: a}); err != nil {
		return "", handlers.Permanent(fmt.Errorf("rule %s: text template: %w", a.Rule, err))
	}
	return b.String(), nil
}

func renderRuleHTML(t *htmltemplate.Template, a handlers.Alert, chartCID string) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, TemplateData{Alert: a, ChartCID: chartCID}); err != nil {
		return "", handlers.Permanent(fmt.Errorf("rule %s: html template: %w", a.Rule, err))
	}
	return b.String(), nil
}
