package web

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// fakeData is a Data of plain values that records the actions asked of it.
type fakeData struct {
	mu      sync.Mutex
	actions []string
}

var (
	t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	t1 = t0.Add(1500 * time.Millisecond)
)

func (f *fakeData) did(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, fmt.Sprintf(format, args...))
}

func (f *fakeData) done() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.actions...)
}

func (f *fakeData) Overview(context.Context) (Overview, error) {
	old := t0.Add(-time.Minute)
	return Overview{
		Stages:     []Stage{{Group: "normalize", Topic: "posts.raw", Lag: 12, Pending: 3, OldestPending: &old, Poisoned: 2, Consumers: 4}},
		Throughput: []Series{{Name: "normalize", Points: []int64{1, 5, 3}}, {Name: "match", Points: []int64{0, 2, 1}}},
		Deliveries: []Count{{"dead", 1}, {"sent", 9}}, Sources: []Count{{"ok", 2}},
		Leader: "host-1", Instances: []Instance{{Name: "host-1", Stages: []string{"match", "normalize"}}},
	}, nil
}

func (f *fakeData) Sources(context.Context) ([]Source, error) {
	return []Source{{Name: "fb:群組", Kind: "facebook_group", Account: "acct", State: "needs_cookies",
		Runs: []CrawlRun{{JobID: "j1", StartedAt: t0, FinishedAt: &t1, Verdict: "login_wall", Error: "login wall <b>x</b>"}}}}, nil
}

func (f *fakeData) CrawlNow(_ context.Context, src string) (string, error) {
	if src != "fb:群組" {
		return "", ErrNotFound
	}
	f.did("crawl %s", src)
	return src + "@now", nil
}

func (f *fakeData) Rules(context.Context) ([]Rule, error) {
	return []Rule{{Name: "camera", Query: `相機 OR "canon eos"`, Type: "threshold", Sinks: []string{"slack"}}}, nil
}

func (f *fakeData) Rule(_ context.Context, name string, days int) (RuleDetail, error) {
	if name != "camera" {
		return RuleDetail{}, ErrNotFound
	}
	d := RuleDetail{Rule: Rule{Name: "camera", Query: "相機", Type: "threshold"}, Threshold: 3, Window: time.Hour}
	for i := 0; i < days; i++ {
		d.Days = append(d.Days, t0.AddDate(0, 0, i-days))
		d.Daily = append(d.Daily, int64(i%4))
	}
	return d, nil
}

func (f *fakeData) TestRule(_ context.Context, name string, days int) (RuleTest, error) {
	f.did("test %s %d", name, days)
	return RuleTest{Rule: name, Posts: 10, Matches: 1, Hits: []RuleTestHit{{At: t0, Source: "s", ExternalID: "1", Terms: []string{"相機"},
		Text: []Segment{{Text: "賣"}, {Text: "相機", Match: true}}}}}, nil
}

func (f *fakeData) Alerts(_ context.Context, af AlertFilter) ([]Alert, error) {
	f.did("alerts rule=%s source=%s status=%s from=%s", af.Rule, af.Source, af.Status, when(af.From))
	return []Alert{{ID: 7, CreatedAt: t0, Rule: "camera", Source: "s", ExternalID: "1", Terms: []string{"相機"}}}, nil
}

func (f *fakeData) Alert(_ context.Context, id int64) (AlertDetail, error) {
	if id != 7 {
		return AlertDetail{}, ErrNotFound
	}
	return AlertDetail{Alert: Alert{ID: 7, Rule: "camera", Terms: []string{"相機"}}, URL: "javascript:alert(1)",
		Text:       []Segment{{Text: "<script>alert(1)</script> 賣"}, {Text: "相機", Match: true}},
		Deliveries: []Delivery{{Sink: "slack", Status: "dead", Attempts: 5, LastError: "HTTP 404"}}}, nil
}

func (f *fakeData) Resend(_ context.Context, id int64) (int64, error) {
	f.did("resend %d", id)
	return 1, nil
}

func (f *fakeData) Poison(context.Context) ([]PoisonTopic, error) {
	return []PoisonTopic{{Topic: "posts.raw.poison", Origin: "posts.raw", Length: 1,
		Entries: []PoisonEntry{{Topic: "posts.raw.poison", ID: "1-0", Origin: "posts.raw", Reason: "bad json"}}}}, nil
}

func (f *fakeData) PoisonEntry(_ context.Context, topic, id string) (PoisonEntry, error) {
	if topic != "posts.raw.poison" || id != "1-0" {
		return PoisonEntry{}, ErrNotFound
	}
	return PoisonEntry{Topic: topic, ID: id, Reason: "bad json", Payload: "{not json", Metadata: map[string]string{"k": "v"}}, nil
}

func (f *fakeData) Requeue(_ context.Context, topic string, ids []string) (int, error) {
	f.did("requeue %s %v", topic, ids)
	return len(ids), nil
}

func (f *fakeData) Drop(_ context.Context, topic string, ids []string) (int, error) {
	f.did("drop %s %v", topic, ids)
	return len(ids), nil
}

func (f *fakeData) Silences(context.Context) ([]Silence, error) {
	return []Silence{{Rule: "camera", Until: t0.Add(time.Hour), Reason: "noisy"}}, nil
}

func (f *fakeData) AddSilence(_ context.Context, s Silence) error {
	if s.Rule != "camera" {
		return fmt.Errorf("%w: no rule %q", ErrInvalid, s.Rule)
	}
	f.did("silence %s %q %s", s.Rule, s.Key, s.Reason)
	return nil
}

func (f *fakeData) EndSilences(_ context.Context, rule, key string) (int64, error) {
	f.did("clear %s %q", rule, key)
	return 1, nil
}
