package crawl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"groupwatch/config"
	"groupwatch/handlers"
	"groupwatch/sources"
)

// Job is one scheduled (or manual) crawl of one source, on the crawl.jobs topic. Its ID is
// the source and the schedule tick, so the same tick published twice is crawled once.
type Job struct {
	V      int       `json:"v"`
	ID     string    `json:"id"`
	Source string    `json:"source"`
	Tick   time.Time `json:"tick"`
}

// JobID is the id of a source's crawl at tick.
func JobID(source string, tick time.Time) string {
	return source + "@" + tick.UTC().Format("2006-01-02T15:04:05.000Z")
}

// HealthEvent tells the alerts stage that a source stopped producing: blocked, at a
// checkpoint, behind a login wall, gone, or quiet.
type HealthEvent = handlers.HealthEvent

// Source states, as stored in the sources table.
const (
	StateOK           = "ok"
	StatePaused       = "paused"
	StateNeedsCookies = "needs_cookies"
)

// SourceState is what the store knows of a source between crawls.
type SourceState struct {
	State       string
	PausedUntil time.Time
}

// Progress is a run's position: where it resumes and what it counted.
type Progress struct {
	Cursor           string
	Pages, New, Seen int
}

// Claim is what StartRun found.
type Claim int

// Claims of a run.
const (
	// ClaimOK: this consumer runs the job (new, or resumed with its progress).
	ClaimOK Claim = iota
	// ClaimFinished: the job was crawled already; nothing to do.
	ClaimFinished
	// ClaimHeld: another consumer is crawling it right now.
	ClaimHeld
)

// State is the MySQL side of crawling: runs, source state, and which posts are stored.
type State interface {
	// StartRun creates or resumes the run of a job. A resumed run comes back with its
	// progress.
	StartRun(ctx context.Context, job Job, lease time.Duration) (Progress, Claim, error)
	SaveProgress(ctx context.Context, jobID string, p Progress, lease time.Duration) error
	FinishRun(ctx context.Context, jobID string, r Result) error
	Source(ctx context.Context, name string) (SourceState, error)
	PauseAccount(ctx context.Context, account string, until time.Time) error
	SetSourceState(ctx context.Context, name, state string) error
	RecordCrawl(ctx context.Context, name, verdict string, newestPost *time.Time) error
	// Seen returns which of the ids are stored as posts of source.
	Seen(ctx context.Context, source string, ids []string) (map[string]bool, error)
}

// Result is what one run did.
type Result struct {
	// Verdict of the last page, or "skipped" when the source was paused or needs cookies.
	Verdict          string
	Pages, New, Seen int
	// Posts are the new posts (all posts on a dry run without a state to ask).
	Posts []sources.Post
	// Err says what stopped the run early (a fetch that kept failing), if anything.
	Err string
	// Body is the start of an unexpected page, for whoever debugs the markup.
	Body string
	// Note says what the run cut or could not act on (a page over the item bound, a body cut
	// at the fetch limit, a parser's note), for the run's record.
	Note string
}

// Runner crawls one source.
type Runner struct {
	Source config.Source
	// Pages fetches the source's pages; nil: HTTPPages through Fetcher.
	Pages   Pages
	Fetcher *Fetcher
	Parser  sources.Parser
	State   State // nil: nothing is read from or written to MySQL
	// Publish sends new posts to posts.raw; nil on a dry run.
	Publish func(ctx context.Context, posts []handlers.RawPost) error
	// Health sends health events; nil on a dry run.
	Health func(ctx context.Context, e HealthEvent) error
	// DryRun writes nothing: no run, no state, no posts, no events.
	DryRun bool
	// Force crawls a paused source or one that needs cookies (a manual crawl after the
	// cookies were renewed); a good page then sets the source back to ok.
	Force bool
	Clock Clock
	// MaxItemsPerPage bounds the posts read from one page; default DefaultMaxItemsPerPage.
	MaxItemsPerPage int
}

// runLease keeps other consumers off a run while it goes; renewed after every page.
const runLease = 10 * time.Minute

// ErrRunHeldElsewhere says another consumer is crawling this job right now.
var ErrRunHeldElsewhere = errors.New("crawl run held by another consumer")

// Run crawls from the first page (or where an interrupted run of the same job stopped),
// publishing new posts page by page, until it meets StopAfterSeen consecutive stored posts,
// the last page or MaxPages.
func (r *Runner) Run(ctx context.Context, job Job) (res Result, err error) {
	clock := r.clock()
	src := r.Source
	var st SourceState
	if r.State != nil {
		if st, err = r.State.Source(ctx, src.Name); err != nil {
			return res, err
		}
		if skip := skipReason(st, clock.Now()); skip != "" && !r.DryRun && !r.Force {
			res.Verdict, res.Err = "skipped", skip
			return res, nil
		}
	}
	progress := Progress{}
	if r.State != nil && !r.DryRun {
		p, claim, err := r.State.StartRun(ctx, job, runLease)
		switch {
		case err != nil:
			return res, err
		case claim == ClaimFinished:
			res.Verdict, res.Err = "skipped", "job "+job.ID+" was crawled already"
			return res, nil
		case claim == ClaimHeld:
			return res, ErrRunHeldElsewhere
		}
		progress = p
	}
	saved := progress // the position stored last, where a retry resumes
	finished := false
	if r.State != nil && !r.DryRun {
		defer func() {
			if err != nil && !finished && !errors.Is(err, ErrPaced) {
				err = r.releaseRun(ctx, job, saved, err)
			}
		}()
	}
	res.Pages, res.New, res.Seen = progress.Pages, progress.New, progress.Seen
	consecutiveSeen := 0
	taken := map[string]bool{} // the posts this run has taken as new
	var newest *time.Time

	walk, err := r.pages().Walk(ctx, src, progress.Cursor, r.parse)
	if err != nil {
		return res, err
	}
	defer walk.Close()
	var prev *sources.Page
	for res.Pages < src.MaxPages {
		if link := nextLink(progress.Cursor, prev); link != "" {
			if err := CheckLink(src.URL, link); err != nil {
				refuseLink(&res, err)
				break
			}
		}
		page, err := walk.Next(ctx, prev)
		var ended *Stop
		switch {
		case errors.As(err, &ended):
			res.addNote(ended.Reason)
		case err != nil:
			if ctx.Err() != nil {
				return res, ctx.Err() // shutting down: the job stays pending and resumes
			}
			if errors.Is(err, ErrPaced) {
				at := progress.Cursor
				if prev != nil {
					at = Position(*prev)
				}
				return res, r.giveBack(ctx, job, Progress{Cursor: at, Pages: res.Pages, New: res.New, Seen: res.Seen}, err)
			}
			res.Err = err.Error()
			res.Verdict = fetchVerdict(err)
		}
		if err != nil || page == nil {
			break
		}
		if err := CheckLink(src.URL, page.URL); err != nil {
			refuseLink(&res, fmt.Errorf("redirected: %w", err))
			break
		}
		parsed, err := r.parse(page)
		if err != nil {
			res.Verdict, res.Err = string(sources.VerdictUnexpected), err.Error()
			break
		}
		res.Pages++
		r.bound(&res, page, &parsed)
		res.Verdict = string(parsed.Verdict)
		if parsed.Verdict != sources.VerdictOK {
			res.Body = parsed.Body
			if err := r.onBadVerdict(ctx, parsed.Verdict, clock.Now()); err != nil {
				return res, err
			}
			break
		}
		fresh, again, stop, err := r.sortPage(ctx, parsed.Posts, res.Pages == 1 && progress.Cursor == "", &consecutiveSeen, taken)
		if err != nil {
			return res, err
		}
		if n := dropForeignPermalinks(src.URL, fresh); n > 0 && res.Err == "" {
			res.Err = fmt.Sprintf("dropped %d permalinks that were not web links", n)
		}
		res.Seen += len(parsed.Posts) - len(fresh) - again
		res.New += len(fresh)
		res.Posts = append(res.Posts, fresh...)
		for _, p := range fresh {
			if !p.PostedAt.IsZero() && (newest == nil || p.PostedAt.After(*newest)) {
				t := p.PostedAt
				newest = &t
			}
		}
		if len(fresh) > 0 && r.Publish != nil && !r.DryRun {
			if err := r.Publish(ctx, rawPosts(src.Name, fresh, clock.Now())); err != nil {
				return res, fmt.Errorf("cannot publish posts of %s: %w", src.Name, err)
			}
		}
		prev = &parsed
		if stop {
			break
		}
		if r.State != nil && !r.DryRun {
			p := Progress{Cursor: Position(parsed), Pages: res.Pages, New: res.New, Seen: res.Seen}
			if err := r.State.SaveProgress(ctx, job.ID, p, runLease); err != nil {
				return res, err
			}
			saved = p
		}
	}
	if r.State != nil && !r.DryRun {
		if err := r.State.FinishRun(ctx, job.ID, res); err != nil {
			return res, err
		}
		finished = true
		if err := r.State.RecordCrawl(ctx, src.Name, res.Verdict, newest); err != nil {
			return res, err
		}
		if res.Verdict == string(sources.VerdictOK) && st.State != StateOK && st.State != "" {
			if err := r.State.SetSourceState(ctx, src.Name, StateOK); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// releaseRun gives up the run's lease when an attempt fails part way (a publish or the
// database failing, shutdown), at the position last saved, so that the retry, in this
// process or another, resumes at once instead of waiting out the lease (runLease).
func (r *Runner) releaseRun(ctx context.Context, job Job, saved Progress, failed error) error {
	if err := r.State.SaveProgress(context.WithoutCancel(ctx), job.ID, saved, 0); err != nil {
		return errors.Join(failed, fmt.Errorf("cannot give up the run's lease, so its retry waits up to %s: %w", runLease, err))
	}
	return failed
}

func skipReason(st SourceState, now time.Time) string {
	switch {
	case st.State == StatePaused && now.Before(st.PausedUntil):
		return "paused until " + st.PausedUntil.UTC().Format(time.RFC3339)
	case st.State == StateNeedsCookies:
		return "needs new cookies: renew them, then run `pipeline crawl SOURCE` once"
	}
	return ""
}

// sortPage returns the page's posts not yet stored, and whether the run should stop: after
// StopAfterSeen stored posts in a row. A pinned post (one the parser marks pinned, or first on
// the first page and older than the post after it) neither counts nor breaks the row.
func (r *Runner) sortPage(ctx context.Context, posts []sources.Post, firstPage bool, consecutive *int, taken map[string]bool) (fresh []sources.Post, again int, stop bool, err error) {
	// A post this run took already (a page read again after its answer was cut short) is
	// neither new nor a sign of having reached known posts.
	var unread []sources.Post
	for _, p := range posts {
		if !taken[p.ExternalID] {
			unread = append(unread, p)
		}
	}
	if again = len(posts) - len(unread); again > 0 {
		firstPage = false
	}
	posts = unread
	seen := map[string]bool{}
	if r.State != nil && len(posts) > 0 {
		ids := make([]string, len(posts))
		for i, p := range posts {
			ids[i] = p.ExternalID
		}
		if seen, err = r.State.Seen(ctx, r.Source.Name, ids); err != nil {
			return nil, 0, false, err
		}
	}
	for i, p := range posts {
		if !seen[p.ExternalID] {
			fresh = append(fresh, p)
			taken[p.ExternalID] = true
			*consecutive = 0
			continue
		}
		if p.Pinned || (firstPage && i == 0 && pinned(posts)) {
			continue
		}
		*consecutive++
		if *consecutive >= r.Source.StopAfterSeen {
			return fresh, again, true, nil
		}
	}
	return fresh, again, false, nil
}

// pinned says the first post is out of the feed's newest-first order: a pinned post.
func pinned(posts []sources.Post) bool {
	return len(posts) > 1 && !posts[0].PostedAt.IsZero() && !posts[1].PostedAt.IsZero() &&
		posts[0].PostedAt.Before(posts[1].PostedAt)
}

// onBadVerdict pauses or flags the source and tells the alerts stage.
func (r *Runner) onBadVerdict(ctx context.Context, v sources.Verdict, now time.Time) error {
	if r.DryRun || r.State == nil {
		return nil
	}
	src := r.Source
	ev := HealthEvent{V: handlers.Version, Source: src.Name, Account: src.AccountName(), Verdict: string(v), State: StateOK, At: now.UTC()}
	switch v {
	case sources.VerdictBlocked, sources.VerdictCheckpoint:
		until := now.Add(src.Cooldown).UTC()
		if err := r.State.PauseAccount(ctx, src.AccountName(), until); err != nil {
			return err
		}
		ev.State, ev.PausedUntil = StatePaused, &until
		ev.Detail = fmt.Sprintf("every source of account %s paused until %s", src.AccountName(), until.Format(time.RFC3339))
	case sources.VerdictLoginWall:
		if err := r.State.SetSourceState(ctx, src.Name, StateNeedsCookies); err != nil {
			return err
		}
		ev.State, ev.Detail = StateNeedsCookies, "the cookies no longer log in: export new ones"
	}
	if r.Health != nil {
		return r.Health(ctx, ev)
	}
	return nil
}

func rawPosts(source string, posts []sources.Post, now time.Time) []handlers.RawPost {
	out := make([]handlers.RawPost, 0, len(posts))
	for _, p := range posts {
		rp := handlers.RawPost{
			V: handlers.Version, Source: source, ExternalID: p.ExternalID, Author: p.Author,
			Text: p.Text, URL: p.URL, ReceivedAt: now.UTC(),
		}
		if !p.PostedAt.IsZero() {
			t := p.PostedAt.UTC()
			rp.PostedAt = &t
		}
		if raw, err := p.MarshalJSON(); err == nil {
			rp.Raw = raw // counts, images, author url and shared id kept with the post
		}
		out = append(out, rp)
	}
	return out
}

// parse reads a fetched response; the parser sees the response, never how it was fetched.
func (r *Runner) parse(p *Page) (sources.Page, error) {
	return r.Parser.Parse(sources.Response{Body: p.Body, URL: p.URL, FetchedAt: p.Fetched, ContentType: p.ContentType})
}

func (r *Runner) pages() Pages {
	if r.Pages != nil {
		return r.Pages
	}
	return &HTTPPages{Fetcher: r.Fetcher}
}

func (r *Runner) clock() Clock {
	if r.Clock == nil {
		return RealClock{}
	}
	return r.Clock
}
