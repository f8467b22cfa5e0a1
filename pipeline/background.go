package pipeline

import (
	"context"
	"log/slog"

	"go.uber.org/fx"
)

// runInBackground starts run in its own goroutine when the app starts, with a context of its
// own (not fx's start context, which ends as soon as start-up does), and on stop cancels it
// and waits for it to return. An error it returns is logged under what.
func runInBackground(lc fx.Lifecycle, what string, logger *slog.Logger, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				if err := run(ctx); err != nil {
					logger.Error(what+" stopped", "error", err.Error())
				}
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
