package handlers

import (
	"context"
	"errors"
	"testing"
)

func alert(id int64, sinks ...string) Alert {
	return Alert{V: Version, AlertID: id, Rule: "r", Sinks: sinks, Text: "t"}
}

func TestNotifySendsOncePerSink(t *testing.T) {
	file := &fakeSink{name: "file"}
	store := &fakeDeliveries{}
	n := Notify{Sinks: map[string]Sink{"file": file}, Store: store}
	ctx := context.Background()

	// "slack" belongs to another notify stage: this one leaves it alone.
	if err := n.Handle(ctx, alert(1, "file", "slack")); err != nil {
		t.Fatal(err)
	}
	if err := n.Handle(ctx, alert(1, "file", "slack")); err != nil {
		t.Fatal(err)
	}
	if len(file.sent) != 1 {
		t.Fatalf("want one send for a redelivered alert, got %d", len(file.sent))
	}
	if store.status[key(1, "file")] != DeliverySent || store.attempts[key(1, "file")] != 1 {
		t.Fatalf("delivery: %v attempts %v", store.status, store.attempts)
	}
	if _, ok := store.status[key(1, "slack")]; ok {
		t.Fatal("a sink of another stage was recorded")
	}
	if !store.published[1] {
		t.Fatal("alert not marked published")
	}
}

func TestNotifyFailureIsRecordedAndRetried(t *testing.T) {
	sink := &fakeSink{name: "file", err: errors.New("disk full")}
	store := &fakeDeliveries{}
	n := Notify{Sinks: map[string]Sink{"file": sink}, Store: store}
	err := n.Handle(context.Background(), alert(2, "file"))
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Fatalf("want a transient error, got %v", err)
	}
	if store.status[key(2, "file")] != DeliveryFailed {
		t.Fatalf("status %q", store.status[key(2, "file")])
	}
	sink.err = nil
	if err := n.Handle(context.Background(), alert(2, "file")); err != nil {
		t.Fatal(err)
	}
	if store.attempts[key(2, "file")] != 2 || len(sink.sent) != 1 {
		t.Fatalf("attempts %d sent %d", store.attempts[key(2, "file")], len(sink.sent))
	}
}

func TestNotifyLeavesADeliveryInProgressToItsSender(t *testing.T) {
	sink := &fakeSink{name: "file"}
	store := &fakeDeliveries{}
	store.init()
	store.status[key(3, "file")] = DeliverySending
	n := Notify{Sinks: map[string]Sink{"file": sink}, Store: store}
	err := n.Handle(context.Background(), alert(3, "file"))
	if err == nil || errors.Is(err, ErrPermanent) || len(sink.sent) != 0 {
		t.Fatalf("want a transient error and no send, got %v and %d sends", err, len(sink.sent))
	}
	store.status[key(3, "file")] = DeliverySent
	if err := n.Handle(context.Background(), alert(3, "file")); err != nil || len(sink.sent) != 0 {
		t.Fatalf("sent by the other consumer: want nothing more, got %v and %d sends", err, len(sink.sent))
	}
}

func TestNotifyRejectsMalformedAlert(t *testing.T) {
	n := Notify{Sinks: map[string]Sink{}, Store: &fakeDeliveries{}}
	if err := n.Handle(context.Background(), Alert{V: 2, AlertID: 1}); !errors.Is(err, ErrPermanent) {
		t.Fatalf("unknown version: want permanent, got %v", err)
	}
	if err := n.Handle(context.Background(), Alert{V: Version}); !errors.Is(err, ErrPermanent) {
		t.Fatalf("no alert id: want permanent, got %v", err)
	}
}
