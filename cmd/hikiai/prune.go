package main

import (
	"context"
	"log/slog"
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
	rounds
}

func (p *historyPruner) start(ctx context.Context) {
	if p.keep <= 0 {
		p.log.Info("history is kept for ever (scoring.history_retention_days is 0)")
		return
	}
	p.rounds.start(ctx, p.delay, p.interval, p.pruneOnce)
}

// pruneOnce prunes unless another replica is at it; errors are logged, and
// the next round tries again.
func (p *historyPruner) pruneOnce(ctx context.Context) {
	underLock(ctx, p.locks, "prune:history", time.Hour, "history prune", p.log, func() {
		start := time.Now()
		before := p.now().Add(-p.keep)
		n, err := p.store.PruneHistory(ctx, before)
		if err != nil {
			p.log.Warn("history prune failed; retried next round", slog.Any("err", err), slog.Int("removed", n))
			return
		}
		p.log.Info("history pruned", slog.Int("removed", n), slog.Time("before", before), slog.Duration("took", time.Since(start)))
	})
}
