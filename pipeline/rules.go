package pipeline

import (
	"groupwatch/config"
	"groupwatch/handlers"
)

// ruleInfo is what the evaluate stage knows of a configured rule.
func ruleInfo(r config.Rule, id int64) handlers.RuleInfo {
	k, _ := r.Threshold.Sigmas() // validated when the configuration loaded
	t := r.Threshold
	return handlers.RuleInfo{ID: id, Kind: r.Type, Sinks: r.Sinks, ExactVariants: r.ExactVariants(), Threshold: handlers.ThresholdSpec{
		Count: t.Count, Baseline: k, BaselineDays: t.BaselineDays, MinDays: t.MinDays,
		Window: t.Window, GroupBy: t.GroupBy, Realert: t.Realert, Backoff: t.RealertBackoff, RealertMax: t.RealertMax,
	}}
}
