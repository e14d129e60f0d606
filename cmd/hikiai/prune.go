package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// historyPruner removes history older than the retention once at start (after
// a pause, so that start-up is not slowed) and then every interval. With
// Redis, replicas take a lock on the store's Redis, so one of them prunes.
type historyPruner struct {
	store    screening.Store
	locks    screening.Cache
	keep     time.Duration
	interval time.Duration
	delay    time.Duration
	now      func() time.Time
	log      *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (p *historyPruner) start(ctx context.Context) {
	if p.keep <= 0 {
		p.log.Info("history is kept for ever (scoring.history_retention_days is 0)")
		return
	}
	ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	p.wg.Go(func() {
		wait := p.delay
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			p.pruneOnce(ctx)
			wait = p.interval
		}
	})
}

// pruneOnce prunes unless another replica is at it; errors are logged, and
// the next round tries again.
func (p *historyPruner) pruneOnce(ctx context.Context) {
	if p.locks != nil {
		release, ok, err := p.locks.Lock(ctx, "prune:history", time.Hour)
		switch {
		case err != nil:
			p.log.Warn("history prune: lock; pruning without it", slog.Any("err", err))
		case !ok:
			p.log.Info("history prune: another replica is pruning")
			return
		default:
			defer release()
		}
	}
	start := time.Now()
	before := p.now().Add(-p.keep)
	n, err := p.store.PruneHistory(ctx, before)
	if err != nil {
		p.log.Warn("history prune failed; retried next round", slog.Any("err", err), slog.Int("removed", n))
		return
	}
	p.log.Info("history pruned", slog.Int("removed", n), slog.Time("before", before), slog.Duration("took", time.Since(start)))
}

func (p *historyPruner) stop() {
	if p.cancel != nil {
		p.cancel()
	}
	p.wg.Wait()
}
