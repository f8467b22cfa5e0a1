package sinks

import (
	"context"
	"fmt"
	"io"
	"sync"

	"groupwatch/handlers"
)

// Console writes one JSON line per alert to a writer, normally stdout (logs go to stderr, so
// stdout stays a clean stream of alerts).
type Console struct {
	name string
	mu   sync.Mutex
	w    io.Writer
}

// NewConsole returns a console sink writing to w.
func NewConsole(name string, w io.Writer) *Console { return &Console{name: name, w: w} }

// Name is the sink's name in the configuration.
func (s *Console) Name() string { return s.name }

// Send writes the alert.
func (s *Console) Send(_ context.Context, a handlers.Alert) error {
	line, err := encodeLine(a)
	if err != nil {
		return handlers.Permanent(fmt.Errorf("cannot encode alert %d: %w", a.AlertID, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(line); err != nil {
		return fmt.Errorf("cannot write alert to console: %w", err)
	}
	return nil
}
