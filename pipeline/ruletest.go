package pipeline

import (
	"context"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/simulate"
)

// RuleTestHit is one alert a rule would have made over stored posts.
type RuleTestHit struct {
	At         time.Time `json:"at"` // when the post was first seen: the simulated now
	Source     string    `json:"source"`
	ExternalID string    `json:"external_id"`
	Terms      []string  `json:"terms"`
	// Variants lists, for a term the post holds only as Chinese variants, the post's
	// spellings of it: {"相機": ["相机"]}.
	Variants map[string][]string `json:"variants,omitempty"`
	Summary  string              `json:"summary,omitempty"`
	// Suppressed says why it would not have been sent (a silence in force now).
	Suppressed string `json:"suppressed,omitempty"`
	Text       string `json:"text"`
}

// RuleTestReport is what `pipeline rules test` prints.
type RuleTestReport struct {
	Rule    string        `json:"rule"`
	Since   time.Time     `json:"since"`
	Posts   int           `json:"posts"`
	Matches int           `json:"matches"`
	Alerts  []RuleTestHit `json:"alerts"`
}

// TestRule runs one rule over the posts stored since a time through the simulation
// (package simulate: the pipeline's match and evaluate code on a simulated clock and
// in-memory state), so nothing is written and nothing is sent. silences may be nil.
func TestRule(ctx context.Context, rule config.Rule, posts simulate.Posts, silences handlers.Silences, since time.Time) (RuleTestReport, error) {
	rep := RuleTestReport{Rule: rule.Name, Since: since.UTC(), Alerts: []RuleTestHit{}}
	exact := rule.ExactVariants()
	res, err := simulate.Run(ctx, rule, ruleInfo(rule, 1), posts, since, simulate.Options{Silences: silences}, func(st simulate.Step) error {
		p := st.Post
		for _, a := range st.Alerts {
			rep.Alerts = append(rep.Alerts, RuleTestHit{At: st.At, Source: a.Source, ExternalID: a.ExternalID, Terms: a.Terms,
				Variants: foldedOnly(st.Normalized, a.Terms, exact), Summary: a.Summary, Text: a.Text})
		}
		// Suppressed alerts are stored but not published: report them with their reason.
		for _, rec := range st.Records {
			if rec.Suppressed != "" {
				rep.Alerts = append(rep.Alerts, RuleTestHit{At: st.At, Source: p.Source, ExternalID: p.ExternalID, Terms: rec.Terms,
					Variants: foldedOnly(st.Normalized, rec.Terms, exact), Suppressed: rec.Suppressed, Text: p.Text})
			}
		}
		return nil
	})
	rep.Posts, rep.Matches = res.Posts, res.Matches
	return rep, err
}
