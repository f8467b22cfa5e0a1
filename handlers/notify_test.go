package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func alert(id int64, sinks ...string) Alert {
	return Alert{V: Version, AlertID: id, Rule: "r", Sinks: sinks, Text: "t"}
}

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newNotify(sinks ...*fakeSink) (Notify, *fakeDeliveries) {
	store := &fakeDeliveries{now: t0}
	m := map[string]Sink{}
	for _, s := range sinks {
		m[s.name] = s
	}
	return Notify{Sinks: m, Store: store, Now: func() time.Time { return store.now }}, store
}

func TestNotifySendsOncePerSink(t *testing.T) {
	file := &fakeSink{name: "file"}
	n, store := newNotify(file)
	ctx := context.Background()

	// "slack" belongs to another notify stage: this one leaves it alone.
	for i := 0; i < 2; i++ {
		if err := n.Handle(ctx, alert(1, "file", "slack")); err != nil {
			t.Fatal(err)
		}
	}
	if len(file.sent) != 1 {
		t.Fatalf("want one send for a redelivered alert, got %d", len(file.sent))
	}
	if r := store.row(1, "file"); r.status != DeliverySent || r.attempts != 1 {
		t.Fatalf("delivery: %+v", r)
	}
	if store.row(1, "slack") != nil {
		t.Fatal("a sink of another stage was recorded")
	}
	if !store.published[1] {
		t.Fatal("alert not marked published")
	}
}

// A transient failure is scheduled, not retried in memory: the message is done, and
// RetryDue sends it once it is due, with the backoff doubling in between.
func TestNotifyRetriesDurablyWithBackoff(t *testing.T) {
	sink := &fakeSink{name: "file", err: errors.New("HTTP 500")}
	n, store := newNotify(sink)
	ctx := context.Background()
	if err := n.Handle(ctx, alert(2, "file")); err != nil {
		t.Fatalf("a failing sink must not fail the message: %v", err)
	}
	r := store.row(2, "file")
	if r.status != DeliveryFailed || r.reason != "HTTP 500" {
		t.Fatalf("delivery %+v", r)
	}
	first := r.next.Sub(t0)
	if first < 4*time.Second || first > 6*time.Second {
		t.Fatalf("first retry in %s, want about 5s", first)
	}
	if tried, _ := n.RetryDue(ctx, 10); tried != 0 {
		t.Fatal("retried before it was due")
	}
	store.now = r.next
	if tried, err := n.RetryDue(ctx, 10); tried != 1 || err != nil {
		t.Fatalf("retry: %d %v", tried, err)
	}
	if second := r.next.Sub(store.now); second < 8*time.Second || second > 12*time.Second {
		t.Fatalf("second retry in %s, want about 10s", second)
	}
	sink.err = nil
	store.now = r.next
	n.RetryDue(ctx, 10)
	if r.status != DeliverySent || r.attempts != 3 || len(sink.sent) != 1 {
		t.Fatalf("delivery %+v, sent %d", r, len(sink.sent))
	}
}

type retryAfterErr struct{ d time.Duration }

func (e retryAfterErr) Error() string             { return "HTTP 429" }
func (e retryAfterErr) RetryAfter() time.Duration { return e.d }

func TestNotifyHonoursRetryAfter(t *testing.T) {
	n, store := newNotify(&fakeSink{name: "slack", err: retryAfterErr{7 * time.Second}})
	n.Handle(context.Background(), alert(3, "slack"))
	if got := store.row(3, "slack").next.Sub(t0); got != 7*time.Second {
		t.Fatalf("next attempt in %s, want the 7s Retry-After", got)
	}
}

func TestNotifyPermanentFailureIsDeadAtOnce(t *testing.T) {
	sink := &fakeSink{name: "slack", err: Permanent(errors.New("HTTP 404 no_service"))}
	n, store := newNotify(sink)
	if err := n.Handle(context.Background(), alert(4, "slack")); err != nil {
		t.Fatal(err)
	}
	if r := store.row(4, "slack"); r.status != DeliveryDead || !strings.Contains(r.reason, "no_service") {
		t.Fatalf("delivery %+v", r)
	}
}

func TestNotifyGivesUpAfterMaxAttempts(t *testing.T) {
	n, store := newNotify(&fakeSink{name: "file", err: errors.New("disk full")})
	n.MaxAttempts = 2
	ctx := context.Background()
	n.Handle(ctx, alert(5, "file"))
	store.now = store.row(5, "file").next
	n.RetryDue(ctx, 10)
	if r := store.row(5, "file"); r.status != DeliveryDead || !strings.Contains(r.reason, "gave up after 2 attempts") {
		t.Fatalf("delivery %+v", r)
	}
}

func TestNotifyStoreFailureFailsTheMessage(t *testing.T) {
	n, store := newNotify(&fakeSink{name: "file"})
	store.err = errDown
	if err := n.Handle(context.Background(), alert(6, "file")); !errors.Is(err, errDown) || errors.Is(err, ErrPermanent) {
		t.Fatalf("want a transient error, got %v", err)
	}
}

func TestNotifyRejectsMalformedAlert(t *testing.T) {
	n, _ := newNotify()
	if err := n.Handle(context.Background(), Alert{V: 2, AlertID: 1}); !errors.Is(err, ErrPermanent) {
		t.Fatalf("unknown version: want permanent, got %v", err)
	}
	if err := n.Handle(context.Background(), Alert{V: Version}); !errors.Is(err, ErrPermanent) {
		t.Fatalf("no alert id: want permanent, got %v", err)
	}
}
