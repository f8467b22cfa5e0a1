package pipeline

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"groupwatch/config"
	"groupwatch/sinks"
)

// CheckBuild builds every sink and every source of a valid configuration the way `run`
// does, and drops them: what `run` would refuse at start-up (a webhook URL that is not one,
// an SMTP port out of range, an unreadable cookies or selectors file) is reported now, by
// `rules check`, every problem at once. Nothing is sent or fetched.
func CheckBuild(cfg *config.Config, logger *slog.Logger) error {
	var problems []error
	templates, err := sinks.CompileTemplates(cfg.Rules)
	if err != nil {
		problems = append(problems, err)
	}
	for i, s := range cfg.Sinks {
		sink, err := NewSink(s, io.Discard, templates, logger)
		if err != nil {
			problems = append(problems, fmt.Errorf("sinks[%d] (%s): %w", i, s.Name, err))
			continue
		}
		if c, ok := sink.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	}
	for i := range cfg.Sources {
		one := *cfg
		one.Sources = cfg.Sources[i : i+1]
		if _, err := NewCrawlers(&one, nil, nil, nil, logger); err != nil {
			problems = append(problems, err)
		}
	}
	return errors.Join(problems...)
}
