package pipeline

import (
	"context"
	"log/slog"
	"time"

	"groupwatch/config"
	"groupwatch/crawl"
)

// jobBook is the crawl stage's side of the scheduler's bookkeeping: it frees a source when
// its job is done, and puts a job off while its pace says wait, so that the few crawl
// consumers crawl the sources that may go now instead of sleeping for those that may not.
type jobBook struct {
	inflight crawl.Inflight
	delayed  crawl.DelayQueue
	// maxWait is the longest a crawl holds its consumer for a request slot; beyond, the job
	// is put off. Zero: crawls wait (a --drain run, whose scheduler does not run to bring
	// put-off jobs back).
	maxWait time.Duration
	putOffs func(source string)
}

// DefaultMaxPaceWait is how long a crawl holds its consumer for its next request slot before
// it is put off.
const DefaultMaxPaceWait = 2 * time.Second

// schedulerPrefix is the key prefix of the scheduler's keys (Topics.Keys).
func schedulerPrefix(cfg *config.Config) string { return TopicsOf(cfg).Keys() }

// EnablePutOff lets crawls give their consumer back when their next request slot is more
// than maxWait away; putOffs (may be nil) counts them. Only where a scheduler runs to bring
// the jobs back.
func (c *Crawlers) EnablePutOff(maxWait time.Duration, putOffs func(source string)) {
	if c == nil || c.jobs == nil {
		return
	}
	c.jobs.maxWait, c.jobs.putOffs = maxWait, putOffs
}

func (b *jobBook) paceContext(ctx context.Context) context.Context {
	if b == nil || b.maxWait <= 0 {
		return ctx
	}
	return crawl.GiveBackAfter(ctx, b.maxWait)
}

// putOff queues the job again for when its slot comes, keeping its source's hold; the
// message is then acked.
func (b *jobBook) putOff(ctx context.Context, job crawl.Job, wait time.Duration, logger *slog.Logger) error {
	if err := b.delayed.Add(ctx, job, time.Now().Add(wait)); err != nil {
		return err
	}
	if err := b.inflight.Refresh(ctx, job); err != nil {
		logger.Warn("cannot refresh a put-off job's hold on its source", "job", job.ID, "error", err.Error())
	}
	if b.putOffs != nil {
		b.putOffs(job.Source)
	}
	logger.Debug("crawl job put off for its pace", "job", job.ID, "wait", wait.Round(time.Millisecond).String())
	return nil
}

// release frees the job's source for its next tick. A failure only delays that tick until
// the hold expires.
func (b *jobBook) release(ctx context.Context, job crawl.Job) {
	if b == nil {
		return
	}
	_ = b.inflight.Release(context.WithoutCancel(ctx), job)
}
