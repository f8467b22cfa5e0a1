package pipeline

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/fx"

	"groupwatch/clock"
)

// dueRetrier sends the deliveries of one notifier kind that are due for another attempt
// (handlers.Notify).
type dueRetrier interface {
	RetryDue(ctx context.Context, limit int) (int, error)
}

// retryBatch is how many due deliveries one pass of a kind's retrier takes up.
const retryBatch = 50

// runRetrier sends the deliveries due for another attempt in every process: the deliveries
// table says what is due, claims keep two processes from sending one twice. Each notifier
// kind has a retrier of its own, so 50 Slack retries paced at one a second hold no email
// retry back.
func runRetrier(lc fx.Lifecycle, r *Router, opts RunOptions, logger *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	retriers := make([]dueRetrier, 0, len(r.Notifiers))
	loggers := make([]*slog.Logger, 0, len(r.Notifiers))
	for _, n := range r.Notifiers {
		names := make([]string, 0, len(n.Sinks))
		for name := range n.Sinks {
			names = append(names, name)
		}
		sort.Strings(names)
		retriers = append(retriers, n)
		loggers = append(loggers, logger.With("sinks", strings.Join(names, ",")))
	}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				retryEachKind(ctx, opts.Clock, retriers, loggers, time.Second)
			}()
			return nil
		},
		OnStop: func(context.Context) error {
			cancel()
			<-done
			return nil
		},
	})
}

// retryEachKind runs one retry loop per retrier until ctx ends, and waits for them all.
func retryEachKind(ctx context.Context, clk clock.Clock, retriers []dueRetrier, loggers []*slog.Logger, every time.Duration) {
	var wg sync.WaitGroup
	for i, r := range retriers {
		wg.Go(func() { retryLoop(ctx, clk, r, loggers[i], every) })
	}
	wg.Wait()
}

// retryLoop takes up a kind's due deliveries, at once again while a full batch was due,
// else after every on clk.
func retryLoop(ctx context.Context, clk clock.Clock, r dueRetrier, logger *slog.Logger, every time.Duration) {
	for ctx.Err() == nil {
		tried, err := r.RetryDue(ctx, retryBatch)
		if err != nil && ctx.Err() == nil {
			logger.Warn("delivery retries failed", "error", err.Error())
		}
		if tried == retryBatch && err == nil {
			continue // more are due: no pause
		}
		if !clk.Sleep(ctx, every) {
			return
		}
	}
}
