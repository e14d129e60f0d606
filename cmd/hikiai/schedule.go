package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// rounds runs a background job of serve in rounds: after a delay (so that
// start-up is not slowed), then every interval, until stop.
type rounds struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// start detaches from ctx's cancellation: the job stops on stop, after the
// HTTP server has drained, not when the first signal arrives.
func (r *rounds) start(ctx context.Context, delay, interval time.Duration, job func(context.Context)) {
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.wg.Go(func() {
		wait := delay
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			job(ctx)
			wait = interval
		}
	})
}

func (r *rounds) stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}

// underLock runs job unless another replica holds the lock key (with Redis,
// replicas share the locks, so one of them does each round). Without locks,
// or when the lock cannot be asked for, the job runs anyway: doing it twice
// is better than not at all.
func underLock(ctx context.Context, locks screening.Cache, key string, ttl time.Duration, what string, log *slog.Logger, job func()) {
	if locks != nil {
		release, ok, err := locks.Lock(ctx, key, ttl)
		switch {
		case err != nil:
			log.Warn(what+": lock; running without it", slog.Any("err", err))
		case !ok:
			log.Info(what + ": another replica is at it")
			return
		default:
			defer release()
		}
	}
	job()
}
