package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"groupwatch/handlers"
)

func TestRetryWaitsOutTransientFailures(t *testing.T) {
	failures := 0
	calls := 0
	h := func(*message.Message) ([]*message.Message, error) {
		calls++
		if calls <= 3 {
			return nil, errors.New("dial tcp 127.0.0.1:3306: connection refused")
		}
		return nil, nil
	}
	r := retry{initial: time.Millisecond, max: 4 * time.Millisecond, logger: slog.New(slog.NewTextHandler(io.Discard, nil)), onFailure: func() { failures++ }}
	msg := message.NewMessage("1", nil)
	if _, err := r.middleware(h)(msg); err != nil {
		t.Fatalf("want success after the failures, got %v", err)
	}
	if calls != 4 || failures != 3 {
		t.Fatalf("calls %d failures %d, want 4 and 3", calls, failures)
	}
}

func TestRetryPassesPermanentErrorsAtOnce(t *testing.T) {
	calls := 0
	h := func(*message.Message) ([]*message.Message, error) {
		calls++
		return nil, handlers.Permanent(errors.New("malformed"))
	}
	r := retry{initial: time.Millisecond, max: time.Millisecond, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	_, err := r.middleware(h)(message.NewMessage("1", nil))
	if !errors.Is(err, handlers.ErrPermanent) || calls != 1 {
		t.Fatalf("want one call and the permanent error, got %d calls, %v", calls, err)
	}
}

func TestRetryStopsWhenShuttingDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h := func(*message.Message) ([]*message.Message, error) {
		cancel()
		return nil, errors.New("connection refused")
	}
	msg := message.NewMessage("1", nil)
	msg.SetContext(ctx)
	r := retry{initial: time.Hour, max: time.Hour, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	done := make(chan error, 1)
	go func() { _, err := r.middleware(h)(msg); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a message interrupted by shutdown must not be acked")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("retry kept waiting after shutdown")
	}
}

func TestEachAttemptGetsTheOriginalContext(t *testing.T) {
	// The timeout middleware replaces the message context; a retry must not inherit the
	// expired deadline of the attempt before.
	var deadlines int
	h := func(msg *message.Message) ([]*message.Message, error) {
		if msg.Context().Err() != nil {
			deadlines++
		}
		return nil, errors.New("timeout")
	}
	inner := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx, cancel := context.WithCancel(msg.Context())
			cancel() // an attempt whose deadline passed
			msg.SetContext(ctx)
			return h(msg)
		}
	}
	calls := 0
	counting := func(msg *message.Message) ([]*message.Message, error) {
		calls++
		if calls == 3 {
			return nil, nil
		}
		return inner(h)(msg)
	}
	r := retry{initial: time.Millisecond, max: time.Millisecond, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := r.middleware(counting)(message.NewMessage("1", nil)); err != nil {
		t.Fatal(err)
	}
	if calls != 3 {
		t.Fatalf("calls %d", calls)
	}
}

func TestCompareIDs(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1-0", "1-0", 0},
		{"1-1", "1-0", 1},
		{"9-0", "10-0", -1},
		{"0-0", "1700000000000-5", -1},
	}
	for _, tt := range tests {
		if got := compareIDs(tt.a, tt.b); got != tt.want {
			t.Errorf("compareIDs(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
