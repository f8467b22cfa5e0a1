package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"groupwatch/queries"
)

// The console's read models (package web, wired in pipeline/console.go) read through these
// methods: the console owns no state, so everything it shows is a question to MySQL.

// AlertQuery selects alerts; empty fields match everything.
type AlertQuery struct {
	Rule, Source string
	// Status matches alerts with a delivery in that status (sent, failed, dead, ...).
	Status   string
	From, To time.Time
	Limit    int
}

// AlertSummary is one alert of a search.
type AlertSummary struct {
	ID         int64
	CreatedAt  time.Time
	Rule       string
	Kind       string
	Source     string
	ExternalID string
	Terms      []string
	Suppressed string
	Summary    string
	Backfill   bool
}

// SearchAlerts returns the newest alerts that match q.
func (s *Store) SearchAlerts(ctx context.Context, q AlertQuery) ([]AlertSummary, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 100
	}
	if q.To.IsZero() {
		q.To = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := s.q.SearchAlerts(ctx, queries.SearchAlertsParams{
		Rule: q.Rule, Source: q.Source, Status: q.Status, CreatedFrom: q.From.UTC(), CreatedTo: q.To.UTC(), Limit: int32(q.Limit),
	})
	if err != nil {
		return nil, fmt.Errorf("cannot search alerts: %w", err)
	}
	out := make([]AlertSummary, 0, len(rows))
	for _, r := range rows {
		out = append(out, AlertSummary{
			ID: r.ID, CreatedAt: r.CreatedAt.UTC(), Rule: r.RuleName, Kind: r.Kind, Source: r.Source.String, ExternalID: r.ExternalID.String,
			Terms: parseTerms(r.Terms), Suppressed: r.Suppressed, Summary: r.Summary, Backfill: r.Backfill != 0,
		})
	}
	return out, nil
}

// AlertDetail is one alert with its rule, post and deliveries.
type AlertDetail struct {
	AlertSummary
	DedupKey   string
	Published  bool
	RuleQuery  string
	Author     string
	URL        string
	Text       string
	PostedAt   *time.Time
	Deliveries []DeliveryState
}

// DeliveryState is one delivery of an alert to a sink.
type DeliveryState struct {
	Sink          string
	Status        string
	Attempts      int
	LastError     string
	NextAttemptAt *time.Time
	SentAt        *time.Time
	UpdatedAt     time.Time
}

// ErrNotFound says the thing asked for does not exist.
var ErrNotFound = errors.New("not found")

// AlertDetail returns an alert and its deliveries; ErrNotFound when there is no such alert.
func (s *Store) AlertDetail(ctx context.Context, id int64) (AlertDetail, error) {
	return alertDetail(ctx, s.q, id)
}

func alertDetail(ctx context.Context, q *queries.Queries, id int64) (AlertDetail, error) {
	r, err := q.GetAlertDetail(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return AlertDetail{}, fmt.Errorf("alert %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return AlertDetail{}, fmt.Errorf("cannot read alert %d: %w", id, err)
	}
	d := AlertDetail{
		AlertSummary: AlertSummary{ID: r.ID, CreatedAt: r.CreatedAt.UTC(), Rule: r.RuleName, Kind: r.Kind, Source: r.Source.String,
			ExternalID: r.ExternalID.String, Terms: parseTerms(r.Terms), Suppressed: r.Suppressed, Summary: r.Summary},
		DedupKey: r.DedupKey, Published: r.Published != 0, RuleQuery: r.RuleQuery, Author: r.Author.String, URL: r.Url.String, Text: r.Text.String,
		PostedAt: optTime(r.PostedAt),
	}
	rows, err := q.ListDeliveriesOfAlert(ctx, id)
	if err != nil {
		return d, fmt.Errorf("cannot read deliveries of alert %d: %w", id, err)
	}
	for _, r := range rows {
		d.Deliveries = append(d.Deliveries, DeliveryState{Sink: r.Sink, Status: r.Status, Attempts: int(r.Attempts), LastError: r.LastError.String,
			NextAttemptAt: optTime(r.NextAttemptAt), SentAt: optTime(r.SentAt), UpdatedAt: r.UpdatedAt.UTC()})
	}
	return d, nil
}

// ResendDeliveries makes every failed or dead delivery of an alert due now, for a retrier to
// send, and returns how many. Sent deliveries stay sent.
func (s *Store) ResendDeliveries(ctx context.Context, alertID int64) (int64, error) {
	now := s.now().UTC()
	n, err := s.q.ResendDeliveries(ctx, queries.ResendDeliveriesParams{NextAttemptAt: nullTime(now), UpdatedAt: now, AlertID: alertID})
	return n, classify(err)
}

// CountDeliveriesByStatus returns how many deliveries are in each status; sent ones up to
// SentCountCap (see deliveryCounts).
func (s *Store) CountDeliveriesByStatus(ctx context.Context) (map[string]int64, error) {
	out, err := deliveryCounts(ctx, s.q)
	if err != nil {
		return nil, fmt.Errorf("cannot count deliveries: %w", err)
	}
	return out, nil
}

// SentCountCap bounds the count of sent deliveries: counting every one of millions would
// make status, the console and each /metrics scrape slow (70 ms at 10 million, 268 ms p99),
// and nobody needs the exact total to run the system. A count at the cap means "at least".
const SentCountCap = 10_000

// deliveryCounts counts the deliveries of every status but sent exactly (an index range
// each), and the sent ones up to SentCountCap.
func deliveryCounts(ctx context.Context, q *queries.Queries) (map[string]int64, error) {
	rows, err := q.CountDeliveriesByStatus(ctx)
	if err != nil {
		return nil, classify(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	sent, err := q.CountSentDeliveriesUpTo(ctx, SentCountCap)
	if err != nil {
		return nil, classify(err)
	}
	if sent > 0 {
		out["sent"] = sent
	}
	return out, nil
}

// CountSourcesByState returns how many sources are in each crawl state.
func (s *Store) CountSourcesByState(ctx context.Context) (map[string]int64, error) {
	rows, err := s.q.CountSourcesByState(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot count sources: %w", err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// Stages whose throughput Throughput reports, each by the rows it writes.
const (
	ThroughputNormalize = "normalize" // new posts
	ThroughputMatch     = "match"     // matches
	ThroughputEvaluate  = "evaluate"  // alerts
	ThroughputNotify    = "notify"    // deliveries sent
)

// Throughput returns, per stage, the rows it wrote in each minute since a time: element i is
// the minute starting at since + i minutes, up to now.
func (s *Store) Throughput(ctx context.Context, since time.Time) (map[string][]int64, error) {
	since = since.UTC().Truncate(time.Minute)
	n := int(s.now().Sub(since)/time.Minute) + 1
	if n < 1 {
		n = 1
	}
	out := map[string][]int64{}
	add := func(stage string, minute int32, count int64) {
		if out[stage] == nil {
			out[stage] = make([]int64, n)
		}
		if minute >= 0 && int(minute) < n {
			out[stage][minute] += count
		}
	}
	for _, stage := range []string{ThroughputNormalize, ThroughputMatch, ThroughputEvaluate, ThroughputNotify} {
		out[stage] = make([]int64, n)
	}
	// Each table is read only after its last row older than the window (queries/console.sql).
	after := func(last func(context.Context, time.Time) (int64, error)) (int64, error) {
		id, err := last(ctx, since)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		return id, err
	}
	postsAfter, err := after(s.q.LastPostBefore)
	if err != nil {
		return nil, fmt.Errorf("cannot bound posts per minute: %w", err)
	}
	posts, err := s.q.PostsPerMinute(ctx, queries.PostsPerMinuteParams{Since: since, AfterID: postsAfter})
	if err != nil {
		return nil, fmt.Errorf("cannot count posts per minute: %w", err)
	}
	for _, r := range posts {
		add(ThroughputNormalize, r.Minute, r.N)
	}
	matchesAfter, err := after(s.q.LastMatchBefore)
	if err != nil {
		return nil, fmt.Errorf("cannot bound matches per minute: %w", err)
	}
	matches, err := s.q.MatchesPerMinute(ctx, queries.MatchesPerMinuteParams{Since: since, AfterID: matchesAfter})
	if err != nil {
		return nil, fmt.Errorf("cannot count matches per minute: %w", err)
	}
	for _, r := range matches {
		add(ThroughputMatch, r.Minute, r.N)
	}
	alertsAfter, err := after(s.q.LastAlertBefore)
	if err != nil {
		return nil, fmt.Errorf("cannot bound alerts per minute: %w", err)
	}
	alerts, err := s.q.AlertsPerMinute(ctx, queries.AlertsPerMinuteParams{Since: since, AfterID: alertsAfter})
	if err != nil {
		return nil, fmt.Errorf("cannot count alerts per minute: %w", err)
	}
	for _, r := range alerts {
		add(ThroughputEvaluate, r.Minute, r.N)
	}
	sent, err := s.q.SentPerMinute(ctx, queries.SentPerMinuteParams{Origin: since, Since: nullTime(since)})
	if err != nil {
		return nil, fmt.Errorf("cannot count deliveries per minute: %w", err)
	}
	for _, r := range sent {
		add(ThroughputNotify, r.Minute, r.N)
	}
	return out, nil
}

// SourceRow is a source's stored crawl state.
type SourceRow struct {
	Name, Kind, Account, State, LastVerdict string
	PausedUntil, LastCrawl, LastNewPost     *time.Time
	// Added is when the source was first synced from the configuration.
	Added time.Time
}

// Sources returns the stored state of every source.
func (s *Store) Sources(ctx context.Context) ([]SourceRow, error) { return listSources(ctx, s.q) }

func listSources(ctx context.Context, q *queries.Queries) ([]SourceRow, error) {
	rows, err := q.ListSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot list sources: %w", err)
	}
	out := make([]SourceRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, SourceRow{Name: r.Name, Kind: r.Kind, Account: r.Account, State: r.State, LastVerdict: r.LastVerdict,
			PausedUntil: optTime(r.PausedUntil), LastCrawl: optTime(r.LastCrawlAt), LastNewPost: optTime(r.LastNewPostAt), Added: r.CreatedAt.UTC()})
	}
	return out, nil
}

// CrawlRunRow is one crawl of a source.
type CrawlRunRow struct {
	JobID            string
	StartedAt        time.Time
	FinishedAt       *time.Time
	Verdict          string
	Pages, New, Seen int
	Error            string
}

// CrawlRuns returns a source's newest crawls, at most limit.
func (s *Store) CrawlRuns(ctx context.Context, source string, limit int) ([]CrawlRunRow, error) {
	rows, err := s.q.ListCrawlRuns(ctx, queries.ListCrawlRunsParams{Source: source, Limit: int32(limit)})
	if err != nil {
		return nil, fmt.Errorf("cannot list crawls of %s: %w", source, err)
	}
	out := make([]CrawlRunRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, CrawlRunRow{JobID: r.JobID, StartedAt: r.StartedAt.UTC(), FinishedAt: optTime(r.FinishedAt), Verdict: r.Verdict,
			Pages: int(r.Pages), New: int(r.PostsNew), Seen: int(r.PostsSeen), Error: r.Error.String})
	}
	return out, nil
}

// SilenceRow is a silence in force.
type SilenceRow struct {
	Rule, Key, Reason string
	Until             time.Time
}

// ActiveSilences returns the silences in force now.
func (s *Store) ActiveSilences(ctx context.Context) ([]SilenceRow, error) {
	rows, err := s.q.ListActiveSilences(ctx, s.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("cannot list silences: %w", err)
	}
	out := make([]SilenceRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, SilenceRow{Rule: r.Rule, Key: r.GroupKey, Reason: r.Reason, Until: r.EndsAt.UTC()})
	}
	return out, nil
}

// AddSilence silences a rule (one key of it, when key is not empty) from now until until.
func (s *Store) AddSilence(ctx context.Context, rule, key, reason string, until time.Time) error {
	return classify(s.q.InsertSilence(ctx, queries.InsertSilenceParams{Rule: rule, GroupKey: key, EndsAt: until.UTC(), Reason: truncate(reason, 255), CreatedAt: s.now().UTC()}))
}

// EndSilences ends now the silences of a rule (of one key, when key is not empty).
func (s *Store) EndSilences(ctx context.Context, rule, key string) (int64, error) {
	now := s.now().UTC()
	n, err := s.q.EndSilences(ctx, queries.EndSilencesParams{EndsAt: now, Rule: rule, GroupKey: key, EndsAt_2: now})
	return n, classify(err)
}

func parseTerms(s string) []string {
	var terms []string
	_ = json.Unmarshal([]byte(s), &terms) // written by termsJSON; anything else shows no terms
	return terms
}

func optTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// RuleIDs returns the stored id of every rule by name.
func (s *Store) RuleIDs(ctx context.Context) (map[string]int64, error) {
	rows, err := s.q.ListRules(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot list rules: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Name] = r.ID
	}
	return out, nil
}

// DailyMatches returns a rule's matches on each UTC day in [from, to) from the daily ETL's
// keyword_daily, in day order; a day not computed yet counts 0 and is not in computed.
func (s *Store) DailyMatches(ctx context.Context, ruleID int64, from, to time.Time) (days []time.Time, counts []int64, computed map[time.Time]bool, err error) {
	from, to = from.UTC().Truncate(24*time.Hour), to.UTC().Truncate(24*time.Hour)
	computed, err = s.DaysComputed(ctx, ruleID, from, to)
	if err != nil {
		return nil, nil, nil, err
	}
	rows, err := s.q.DailyCounts(ctx, queries.DailyCountsParams{RuleID: ruleID, GroupBy: "rule", GroupKey: "*", Day: from, Day_2: to})
	if err != nil {
		return nil, nil, nil, classify(err)
	}
	byDay := map[time.Time]int64{}
	for _, r := range rows {
		byDay[r.Day.UTC().Truncate(24*time.Hour)] = int64(r.Matches)
	}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
		counts = append(counts, byDay[d])
	}
	return days, counts, computed, nil
}
