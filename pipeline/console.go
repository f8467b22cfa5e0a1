package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/redis/go-redis/v9"

	"groupwatch/config"
	"groupwatch/crawl"
	"groupwatch/sinks"
	"groupwatch/store"
	"groupwatch/web"
)

// ConsoleData is the console's read models (web.Data) over the store, Redis and the
// configuration. It keeps nothing between requests: every page is read anew.
type ConsoleData struct {
	Config    *config.Config
	Store     *store.Store
	Redis     redis.UniversalClient
	Publisher message.Publisher
	Logger    *slog.Logger
	// Window is how far back the overview's chart reaches. Default 3h.
	Window time.Duration
	Now    func() time.Time

	// throughput keeps the chart's counts for a minute: the overview refreshes every few
	// seconds per open page, and counting rows by minute scans hours of posts and matches.
	throughput struct {
		sync.Mutex
		at     time.Time
		since  time.Time
		series []web.Series
	}
}

// throughputTTL is how long the chart's counts are reused.
const throughputTTL = time.Minute

var _ web.Data = (*ConsoleData)(nil)

// NewConsole builds the console's handler, or nil when no admin token is configured.
func NewConsole(cfg *config.Config, s *store.Store, rdb redis.UniversalClient, pub message.Publisher, logger *slog.Logger) (*web.Console, error) {
	if cfg.Admin.Token == "" {
		logger.Info("console off: no admin.token configured")
		return nil, nil
	}
	data := &ConsoleData{Config: cfg, Store: s, Redis: rdb, Publisher: pub, Logger: logger.With("component", "console")}
	return web.New(web.Options{AdminToken: cfg.Admin.Token, ReadToken: cfg.Admin.ReadToken, Data: data, Logger: data.Logger})
}

func (d *ConsoleData) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// prefix is the prefix of the keys that are not streams (leases, in-flight marks).
func (d *ConsoleData) prefix() string { return TopicsOf(d.Config).Keys() }

// stageTopics are the streams stages read (every partition of each topic), in pipeline order.
func (d *ConsoleData) stageTopics() []string {
	return NewPoisonQueue(d.Config, d.Redis).Topics
}

// Overview reads the streams and the tables each on its own: one down still shows the other.
func (d *ConsoleData) Overview(ctx context.Context) (web.Overview, error) {
	now := d.now()
	window := d.Window
	if window <= 0 {
		window = 3 * time.Hour
	}
	o := web.Overview{Since: now.Add(-window)}
	if err := d.readStreams(ctx, &o, now); err != nil {
		d.Logger.Warn("console cannot read the streams", "error", err.Error())
		o.Unreachable = append(o.Unreachable, web.Problem{What: "Redis", Why: "not reachable (the log says why)"})
	}
	if err := d.readTables(ctx, &o); err != nil {
		d.Logger.Warn("console cannot read MySQL", "error", err.Error())
		o.Unreachable = append(o.Unreachable, web.Problem{What: "MySQL", Why: "not reachable (the log says why)"})
	}
	return o, nil
}

// instanceIdle is how recently a consumer must have been active for its process to show.
const instanceIdle = 10 * time.Minute

func (d *ConsoleData) readStreams(ctx context.Context, o *web.Overview, now time.Time) error {
	instances := map[string]*web.Instance{}
	for _, topic := range d.stageTopics() {
		ts, err := topicStatus(ctx, d.Redis, topic)
		if err != nil {
			return err
		}
		poisoned, err := d.Redis.XLen(ctx, Poison(topic)).Result()
		if err != nil {
			return err
		}
		if len(ts.Groups) == 0 && (ts.Length > 0 || poisoned > 0) {
			o.Stages = append(o.Stages, web.Stage{Topic: topic, Group: "—", Lag: ts.Length, Poisoned: poisoned})
		}
		for _, g := range ts.Groups {
			st := web.Stage{Group: g.Group, Topic: topic, Lag: g.Lag, LagAtLeast: g.LagAtLeast, Pending: g.Pending, Poisoned: poisoned,
				Consumers: len(g.Consumers), Error: g.Error}
			if g.Pending > 0 {
				if p, err := d.Redis.XPending(ctx, topic, g.Group).Result(); err == nil && p.Lower != "" {
					st.OldestPending = idTime(p.Lower)
				}
			}
			o.Stages = append(o.Stages, st)
			for _, c := range g.Consumers {
				name, ok := consumerInstance(c.Name, g.Group)
				stage := g.Group
				if !ok || c.Idle > instanceIdle {
					continue
				}
				in := instances[name]
				if in == nil {
					in = &web.Instance{Name: name, Idle: c.Idle}
					instances[name] = in
				}
				in.Idle = min(in.Idle, c.Idle)
				if !contains(in.Stages, stage) {
					in.Stages = append(in.Stages, stage)
				}
			}
		}
	}
	for _, in := range instances {
		sort.Strings(in.Stages)
		o.Instances = append(o.Instances, *in)
	}
	sort.Slice(o.Instances, func(i, j int) bool { return o.Instances[i].Name < o.Instances[j].Name })
	leader, err := d.Redis.Get(ctx, d.prefix()+"leader.lease").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	sched, err := d.Redis.Get(ctx, d.prefix()+"scheduler.lease").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	o.Leader, o.Scheduler = leader, sched
	return nil
}

// consumerInstance reads the process out of a consumer name `<instance>.<group>.<i>`
// (pipeline/router.go); a name of another form is not one of ours.
func consumerInstance(name, group string) (string, bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || strings.Trim(name[i+1:], "0123456789") != "" {
		return "", false
	}
	return strings.CutSuffix(name[:i], "."+group)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (d *ConsoleData) readTables(ctx context.Context, o *web.Overview) error {
	series, since, err := d.readThroughput(ctx, o.Since)
	if err != nil {
		return err
	}
	o.Throughput, o.Since = series, since
	deliveries, err := d.Store.CountDeliveriesByStatus(ctx)
	if err != nil {
		return err
	}
	o.Deliveries = counts(deliveries)
	states, err := d.Store.CountSourcesByState(ctx)
	if err != nil {
		return err
	}
	o.Sources = counts(states)
	return nil
}

// readThroughput returns the chart's series since a time, or those read less than
// throughputTTL ago (with the time they start at).
func (d *ConsoleData) readThroughput(ctx context.Context, since time.Time) ([]web.Series, time.Time, error) {
	c := &d.throughput
	c.Lock()
	defer c.Unlock()
	if c.series != nil && d.now().Sub(c.at) < throughputTTL {
		return c.series, c.since, nil
	}
	tp, err := d.Store.Throughput(ctx, since)
	if err != nil {
		return nil, since, err
	}
	var series []web.Series
	for _, stage := range []string{store.ThroughputNormalize, store.ThroughputMatch, store.ThroughputEvaluate, store.ThroughputNotify} {
		series = append(series, web.Series{Name: stage, Points: tp[stage]})
	}
	c.at, c.since, c.series = d.now(), since, series
	return series, since, nil
}

func counts(m map[string]int64) []web.Count {
	out := make([]web.Count, 0, len(m))
	for k, v := range m {
		out = append(out, web.Count{Name: k, N: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Sources is every configured source with its stored state and last crawls.
func (d *ConsoleData) Sources(ctx context.Context) ([]web.Source, error) {
	stored, err := d.Store.Sources(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]store.SourceRow{}
	for _, s := range stored {
		byName[s.Name] = s
	}
	now := d.now()
	out := make([]web.Source, 0, len(d.Config.Sources))
	for _, src := range d.Config.Sources {
		ws := web.Source{Name: src.Name, Kind: src.Kind, Account: src.AccountName(), State: crawl.StateOK}
		if row, ok := byName[src.Name]; ok {
			ws.State, ws.LastVerdict, ws.PausedUntil, ws.LastCrawl, ws.LastNewPost = row.State, row.LastVerdict, row.PausedUntil, row.LastCrawl, row.LastNewPost
		}
		if next, err := crawl.Schedule(src); err == nil {
			due := next(now).UTC()
			ws.NextDue = &due
		}
		runs, err := d.Store.CrawlRuns(ctx, src.Name, 10)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			ws.Runs = append(ws.Runs, web.CrawlRun{JobID: r.JobID, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Verdict: r.Verdict,
				Pages: r.Pages, New: r.New, Seen: r.Seen, Error: r.Error})
		}
		out = append(out, ws)
	}
	return out, nil
}

// CrawlNow queues a crawl of a configured source the way the scheduler does: one job in
// flight per source (crawl.Inflight), its id the source and now.
func (d *ConsoleData) CrawlNow(ctx context.Context, source string) (string, error) {
	if _, ok := d.source(source); !ok {
		return "", fmt.Errorf("source %q: %w", source, web.ErrNotFound)
	}
	if d.Publisher == nil {
		return "", errors.New("console has no publisher")
	}
	now := d.now().UTC()
	job := crawl.Job{V: 1, ID: crawl.JobID(source, now), Source: source, Tick: now}
	claim, undo, err := crawl.Inflight{Redis: d.Redis, Prefix: d.prefix()}.Take(ctx, job)
	if err != nil {
		return "", err
	}
	if claim != crawl.TakeOK {
		return "", fmt.Errorf("%w: a crawl of %s is already queued or running", web.ErrInvalid, source)
	}
	msg, err := NewJobMessage(job)
	if err == nil {
		err = d.Publisher.Publish(TopicsOf(d.Config).CrawlJobs(), msg)
	}
	if err != nil {
		undo(context.WithoutCancel(ctx))
		return "", fmt.Errorf("cannot queue a crawl of %s: %w", source, err)
	}
	return job.ID, nil
}

func (d *ConsoleData) source(name string) (config.Source, bool) {
	for _, s := range d.Config.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return config.Source{}, false
}

// rule is a configured rule, or the source-health rule its alerts are stored under.
func (d *ConsoleData) rule(name string) (config.Rule, bool) {
	for _, r := range d.Config.Rules {
		if r.Name == name {
			return r, true
		}
	}
	if name == config.HealthRuleName && len(d.Config.Health.Sinks) > 0 {
		return config.Rule{Name: name, Type: "health", Query: "(source health events)", Sinks: d.Config.Health.Sinks}, true
	}
	return config.Rule{}, false
}

// Rules is every configured rule, marked when a silence of it is in force.
func (d *ConsoleData) Rules(ctx context.Context) ([]web.Rule, error) {
	silenced := map[string]bool{}
	sil, err := d.Store.ActiveSilences(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sil {
		silenced[s.Rule] = true
	}
	out := make([]web.Rule, 0, len(d.Config.Rules))
	for _, r := range d.Config.Rules {
		out = append(out, web.Rule{Name: r.Name, Query: r.Query, Type: r.Type, Sinks: r.Sinks, Silenced: silenced[r.Name]})
	}
	return out, nil
}

// Rule is a rule's page: its daily matches, threshold, last alerts and silences.
func (d *ConsoleData) Rule(ctx context.Context, name string, days int) (web.RuleDetail, error) {
	r, ok := d.rule(name)
	if !ok {
		return web.RuleDetail{}, fmt.Errorf("rule %q: %w", name, web.ErrNotFound)
	}
	rd := web.RuleDetail{Rule: web.Rule{Name: r.Name, Query: r.Query, Type: r.Type, Sinks: r.Sinks}}
	if r.Type == config.RuleThreshold {
		rd.Threshold, rd.Window, rd.Baseline = r.Threshold.Count, r.Threshold.Window, r.Threshold.Baseline
	}
	ids, err := d.Store.RuleIDs(ctx)
	if err != nil {
		return rd, err
	}
	today := d.now().UTC().Truncate(24 * time.Hour)
	if id, ok := ids[name]; ok {
		dayList, counts, _, err := d.Store.DailyMatches(ctx, id, today.AddDate(0, 0, -days), today)
		if err != nil {
			return rd, err
		}
		rd.Days, rd.Daily = dayList, counts
		if sigmas, err := r.Threshold.Sigmas(); err == nil && sigmas > 0 && len(counts) > 0 {
			rd.BaselineLevel = baselineLevel(counts, sigmas)
		}
	}
	alerts, err := d.Alerts(ctx, web.AlertFilter{Rule: name, Limit: 20})
	if err != nil {
		return rd, err
	}
	rd.Alerts = alerts
	sil, err := d.Silences(ctx)
	if err != nil {
		return rd, err
	}
	for _, s := range sil {
		if s.Rule == name {
			rd.Silences = append(rd.Silences, s)
			rd.Silenced = true
		}
	}
	return rd, nil
}

// baselineLevel is the daily count a baseline of sigmas would fire above: the mean of the
// days shown plus sigmas standard deviations (the threshold stage scales it to its window).
func baselineLevel(counts []int64, sigmas float64) float64 {
	var sum, sq float64
	for _, c := range counts {
		sum += float64(c)
	}
	mean := sum / float64(len(counts))
	for _, c := range counts {
		sq += (float64(c) - mean) * (float64(c) - mean)
	}
	return mean + sigmas*math.Sqrt(sq/float64(len(counts)))
}

// TestRule runs `rules test` for a configured rule over the last days of stored posts.
func (d *ConsoleData) TestRule(ctx context.Context, name string, days int) (web.RuleTest, error) {
	r, ok := d.rule(name)
	if !ok {
		return web.RuleTest{}, fmt.Errorf("rule %q: %w", name, web.ErrNotFound)
	}
	if r.Name == config.HealthRuleName {
		return web.RuleTest{}, fmt.Errorf("%w: the source-health rule fires on crawl events, not on posts", web.ErrInvalid)
	}
	since := d.now().Add(-time.Duration(days) * 24 * time.Hour)
	rep, err := TestRule(ctx, r, store.PostsOf(d.Store.Queries()), d.Store, since)
	if err != nil {
		return web.RuleTest{}, err
	}
	out := web.RuleTest{Rule: rep.Rule, Since: rep.Since, Posts: rep.Posts, Matches: rep.Matches}
	for _, h := range rep.Alerts {
		out.Hits = append(out.Hits, web.RuleTestHit{At: h.At, Source: h.Source, ExternalID: h.ExternalID, Terms: h.Terms, Summary: h.Summary,
			Suppressed: h.Suppressed, Text: segments(sinks.Highlight(h.Text, h.Terms, !r.ExactVariants()))})
	}
	return out, nil
}

// Alerts searches the stored alerts.
func (d *ConsoleData) Alerts(ctx context.Context, f web.AlertFilter) ([]web.Alert, error) {
	rows, err := d.Store.SearchAlerts(ctx, store.AlertQuery{Rule: f.Rule, Source: f.Source, Status: f.Status, From: f.From, To: f.To, Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]web.Alert, 0, len(rows))
	for _, r := range rows {
		out = append(out, webAlert(r))
	}
	return out, nil
}

func webAlert(r store.AlertSummary) web.Alert {
	return web.Alert{ID: r.ID, CreatedAt: r.CreatedAt, Rule: r.Rule, Kind: r.Kind, Source: r.Source, ExternalID: r.ExternalID, Terms: r.Terms,
		Suppressed: r.Suppressed, Summary: r.Summary, Backfill: r.Backfill}
}

// Alert is an alert's page: the post with its terms marked as the sinks mark them, and its
// deliveries. A delivery's last error is the sink's, which never holds a webhook URL or a
// password (sinks redact them).
func (d *ConsoleData) Alert(ctx context.Context, id int64) (web.AlertDetail, error) {
	a, err := d.Store.AlertDetail(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return web.AlertDetail{}, fmt.Errorf("alert %d: %w", id, web.ErrNotFound)
	}
	if err != nil {
		return web.AlertDetail{}, err
	}
	r, _ := d.rule(a.Rule)
	out := web.AlertDetail{Alert: webAlert(a.AlertSummary), Published: a.Published, Query: a.RuleQuery, Author: a.Author, URL: a.URL, PostedAt: a.PostedAt,
		Text: segments(sinks.Highlight(a.Text, a.Terms, !r.ExactVariants()))}
	for _, dl := range a.Deliveries {
		out.Deliveries = append(out.Deliveries, web.Delivery{Sink: dl.Sink, Status: dl.Status, Attempts: dl.Attempts, NextAttemptAt: dl.NextAttemptAt,
			SentAt: dl.SentAt, LastError: dl.LastError, UpdatedAt: dl.UpdatedAt})
	}
	return out, nil
}

func segments(hs []sinks.Highlighted) []web.Segment {
	out := make([]web.Segment, len(hs))
	for i, h := range hs {
		out[i] = web.Segment{Text: h.Text, Match: h.Match}
	}
	return out
}

// Resend makes an alert's failed and dead deliveries due now; a running pipeline's retrier
// sends them.
func (d *ConsoleData) Resend(ctx context.Context, id int64) (int64, error) {
	if _, err := d.Store.AlertDetail(ctx, id); errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("alert %d: %w", id, web.ErrNotFound)
	} else if err != nil {
		return 0, err
	}
	return d.Store.ResendDeliveries(ctx, id)
}

func (d *ConsoleData) poison() PoisonQueue { return NewPoisonQueue(d.Config, d.Redis) }

// Poison lists the poison streams that hold entries, each with its newest 100.
func (d *ConsoleData) Poison(ctx context.Context) ([]web.PoisonTopic, error) {
	topics, err := d.poison().List(ctx, 100)
	if err != nil {
		return nil, err
	}
	out := make([]web.PoisonTopic, 0, len(topics))
	for _, t := range topics {
		wt := web.PoisonTopic{Topic: t.PoisonTopic, Origin: t.Origin, Length: t.Length}
		for _, e := range t.Entries {
			wt.Entries = append(wt.Entries, webPoisoned(e))
		}
		out = append(out, wt)
	}
	return out, nil
}

func webPoisoned(e PoisonedMessage) web.PoisonEntry {
	return web.PoisonEntry{Topic: e.PoisonTopic, ID: e.ID, At: e.At, Origin: e.Origin, Handler: e.Handler, Reason: e.Reason, UUID: e.UUID,
		Metadata: e.Metadata, Payload: e.Payload}
}

// PoisonEntry is one poisoned entry.
func (d *ConsoleData) PoisonEntry(ctx context.Context, topic, id string) (web.PoisonEntry, error) {
	e, err := d.poison().Show(ctx, topic, id)
	if errors.Is(err, ErrNoEntry) {
		return web.PoisonEntry{}, fmt.Errorf("%s %s: %w", topic, id, web.ErrNotFound)
	}
	if err != nil {
		return web.PoisonEntry{}, err
	}
	return webPoisoned(e), nil
}

// Requeue sends entries back to their topic.
func (d *ConsoleData) Requeue(ctx context.Context, topic string, ids []string) (int, error) {
	n, err := d.poison().Requeue(ctx, topic, ids)
	return n, poisonErr(err)
}

// Drop removes entries.
func (d *ConsoleData) Drop(ctx context.Context, topic string, ids []string) (int, error) {
	n, err := d.poison().Drop(ctx, topic, ids)
	return n, poisonErr(err)
}

func poisonErr(err error) error {
	switch {
	case errors.Is(err, ErrNoEntry):
		return fmt.Errorf("%w: %s", web.ErrNotFound, err.Error())
	case errors.Is(err, ErrForeignEntry):
		return fmt.Errorf("%w: %s", web.ErrInvalid, err.Error())
	}
	return err
}

// Silences are the silences in force.
func (d *ConsoleData) Silences(ctx context.Context) ([]web.Silence, error) {
	rows, err := d.Store.ActiveSilences(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Silence, 0, len(rows))
	for _, r := range rows {
		out = append(out, web.Silence{Rule: r.Rule, Key: r.Key, Reason: r.Reason, Until: r.Until})
	}
	return out, nil
}

// AddSilence silences a configured rule (or the health rule).
func (d *ConsoleData) AddSilence(ctx context.Context, s web.Silence) error {
	if _, ok := d.rule(s.Rule); !ok {
		return fmt.Errorf("%w: no rule %q in the configuration", web.ErrInvalid, s.Rule)
	}
	if len(s.Key) > 191 {
		return fmt.Errorf("%w: the key is longer than 191 bytes", web.ErrInvalid)
	}
	return d.Store.AddSilence(ctx, s.Rule, s.Key, s.Reason, s.Until)
}

// EndSilences ends the silences of a rule (or of one key of it).
func (d *ConsoleData) EndSilences(ctx context.Context, rule, key string) (int64, error) {
	return d.Store.EndSilences(ctx, rule, key)
}
