package crawl

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrPaced says a crawl stopped to wait for its pace elsewhere: its next request slot is
// further off than the caller would hold a consumer for.
var ErrPaced = errors.New("the next request slot is later")

// PacedError is ErrPaced with the wait.
type PacedError struct{ Wait time.Duration }

func (e *PacedError) Error() string {
	return fmt.Sprintf("%v: in %s", ErrPaced, e.Wait.Round(time.Millisecond))
}

// Is makes errors.Is(err, ErrPaced) hold.
func (e *PacedError) Is(target error) bool { return target == ErrPaced }

type giveBackKey struct{}

// GiveBackAfter makes the pacers refuse, with a *PacedError and without booking, a request
// slot further off than maxWait: the crawl stage then puts the job off and frees its
// consumer for another source. Without it (a manual crawl) they wait.
func GiveBackAfter(ctx context.Context, maxWait time.Duration) context.Context {
	return context.WithValue(ctx, giveBackKey{}, maxWait)
}

func maxWaitFrom(ctx context.Context) (time.Duration, bool) {
	d, ok := ctx.Value(giveBackKey{}).(time.Duration)
	return d, ok
}

// giveBack records where a paced run resumes, leasing it to nobody, so that the job, when
// due again, takes the run over at once.
func (r *Runner) giveBack(ctx context.Context, job Job, p Progress, err error) error {
	if p.Pages == 0 {
		p.Cursor = "" // not one page read: the run starts afresh, first-page rules and all
	}
	if r.State != nil && !r.DryRun {
		if serr := r.State.SaveProgress(ctx, job.ID, p, 0); serr != nil {
			return serr
		}
	}
	return err
}
