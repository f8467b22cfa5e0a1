package sinks

import (
	"context"
	"fmt"
	"os"
	"sync"

	"groupwatch/handlers"
)

// File appends one JSON line per alert to a file. Each line goes out in one write on a file
// opened with O_APPEND, so several processes can share the file; the write is synced before
// Send returns, so a delivery recorded as sent is on disk.
type File struct {
	name string
	path string

	mu sync.Mutex
	f  *os.File
}

// NewFile returns a file sink; the file is opened on the first alert.
func NewFile(name, path string) *File { return &File{name: name, path: path} }

// Name is the sink's name in the configuration.
func (s *File) Name() string { return s.name }

// Send appends the alert.
func (s *File) Send(_ context.Context, a handlers.Alert) error {
	line, err := encodeLine(a)
	if err != nil {
		return handlers.Permanent(fmt.Errorf("cannot encode alert %d: %w", a.AlertID, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("cannot open sink file: %w", err)
		}
		s.f = f
	}
	if _, err := s.f.Write(line); err != nil {
		return fmt.Errorf("cannot append to sink file %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("cannot sync sink file %s: %w", s.path, err)
	}
	return nil
}

// Close closes the file.
func (s *File) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
