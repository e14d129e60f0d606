package main

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// listWatcher keeps the service's lists in step with the store: it reloads when
// the store announces a new snapshot (Redis pub/sub, or in-process for the
// embedded store) and polls as a fallback, then re-screens known counterparties
// against what changed. One replica runs each re-screen (Cache.Lock).
type listWatcher struct {
	lists     *screening.Lists
	store     screening.Store
	locks     screening.Cache // one replica runs each re-screen
	rescreen  *screening.Rescreener
	log       *slog.Logger
	poll      time.Duration
	onReload  func(*screening.ListSet) // metrics hook, may be nil
	mu        sync.Mutex               // one reload at a time
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// start loads the lists once (no re-screen: nothing changed, the process just
// started) and then watches in the background until stop.
func (w *listWatcher) start(ctx context.Context) {
	if _, next, err := w.lists.Reload(ctx, w.store, time.Now()); err != nil {
		if ctx.Err() != nil {
			w.log.Info("list load given up: the service is stopping")
		} else {
			w.log.Warn("lists not loaded at start; screenings are held for review until they are", slog.Any("err", err))
		}
	} else if next != nil {
		w.loaded(next)
		// Loading leaves the decoded snapshots and the index's build tables
		// behind: 1 GB of garbage with 1,000,000 entries. Left to the runtime,
		// the first collection came under load, marked for seconds while
		// screenings assisted it, and set a heap goal of 3.6 GB. Collect it
		// now, before the service reports ready.
		//
		// Not debug.FreeOSMemory: that also gives back the free pages between
		// the live heap and its next goal, and the heap then grew into fresh
		// pages under load. At 1,000,000 entries that was 20,000-25,000 page
		// faults a second for the first 10-15 s of load, half a core of the
		// 2-core bench machine; the run's p99 was 54-68 ms against 32-36 ms
		// (BENCHMARKS.md). The runtime's scavenger gives back the rest of
		// what loading used within about 15 s.
		runtime.GC()
	} else {
		w.log.Warn("no denied-party lists in the store; import them with `hikiai sources import` or `hikiai sources refresh`")
	}
	ctx, w.cancel = context.WithCancel(context.WithoutCancel(ctx))
	var events <-chan string
	if lw, ok := w.store.(screening.ListWatcher); ok {
		ch, err := lw.WatchSnapshots(ctx)
		if err != nil {
			w.log.Warn("list announcements unavailable; polling only", slog.Any("err", err))
		} else {
			events = ch
		}
	}
	w.wg.Go(func() {
		t := time.NewTicker(w.poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-events:
				if !ok {
					events = nil
					continue
				}
			case <-t.C:
			}
			w.reload(ctx)
		}
	})
}

func (w *listWatcher) loaded(set *screening.ListSet) {
	w.log.Info("lists loaded", slog.String("version", set.Version), slog.Int("entries", set.Len()), slog.Int("sources", len(set.Sources)))
	if w.onReload != nil {
		w.onReload(set)
	}
}

// reload swaps in new lists when the store has them and re-screens the delta.
func (w *listWatcher) reload(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	prev, next, err := w.lists.Reload(ctx, w.store, time.Now())
	if err != nil {
		if ctx.Err() != nil {
			w.log.Info("list reload given up: the service is stopping")
			return
		}
		w.log.Warn("list reload failed; the loaded lists stay in force", slog.Any("err", err))
		return
	}
	if next == nil {
		return
	}
	w.loaded(next)
	delta := screening.Delta(prev, next)
	if len(delta) == 0 || w.rescreen == nil {
		return
	}
	release, ok, err := w.locks.Lock(ctx, "rescreen:"+next.Version, 30*time.Minute)
	if err != nil {
		w.log.Warn("re-screen lock unavailable; this list change is not re-screened here", slog.String("version", next.Version), slog.Any("err", err))
		return
	}
	if !ok {
		w.log.Info("another replica re-screens this list change", slog.String("version", next.Version))
		return
	}
	defer release()
	rep, err := w.rescreen.Run(ctx, next, delta)
	if err != nil {
		w.log.Error("re-screening failed", slog.Any("err", err), slog.Any("report", rep))
		return
	}
	w.log.Info("re-screening done", slog.Int("delta_entries", rep.DeltaEntries), slog.Int("counterparties", rep.Counterparties),
		slog.Int("hits", rep.Hits), slog.Int("cases", rep.Cases), slog.Int("known", rep.Known), slog.Duration("took", rep.Duration))
}

// dutyCycle paces a list rebuild beside live screenings: the build runs for a
// slice of time, then sleeps long enough that it takes at most share of one
// core. Unpaced at 1,000,000 entries, a rebuild under 1,000 screenings/s on
// the 2-core bench machine took a core for a minute, the service fell behind
// and the run's p99 passed 4 s (BENCHMARKS.md). Time is measured on the wall
// clock: a build that the kernel holds back counts as running, which errs on
// the side of the screenings.
type dutyCycle struct {
	share float64
	slice time.Duration
	now   func() time.Time
	sleep func(time.Duration)

	mu    sync.Mutex
	since time.Time // start of the running slice; zero between builds
}

func newDutyCycle(percent int) *dutyCycle {
	return &dutyCycle{share: float64(percent) / 100, slice: 5 * time.Millisecond, now: time.Now, sleep: time.Sleep}
}

// reloadPace is the pace of a list change's rebuild and re-screen at percent
// of one core (HIKIAI_RELOAD_CPU), or nil for unpaced: 100, or 0 for a Config
// not loaded from the environment.
func reloadPace(percent int) func() {
	if percent <= 0 || percent >= 100 {
		return nil
	}
	return newDutyCycle(percent).pace
}

// A gap this long between two calls of pace is a new build, or a build that
// waited on something else; it is not made up for with a sleep.
const paceGap = 5 * time.Second

// pace is Lists.Pace.
func (d *dutyCycle) pace() {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if d.since.IsZero() || now.Sub(d.since) > paceGap {
		d.since = now
		return
	}
	ran := now.Sub(d.since)
	if ran < d.slice {
		return
	}
	d.sleep(time.Duration(float64(ran) * (1 - d.share) / d.share))
	d.since = d.now()
}

// stop ends the watcher and waits for a running reload or re-screen.
func (w *listWatcher) stop() {
	w.closeOnce.Do(func() {
		if w.cancel != nil {
			w.cancel()
		}
		w.wg.Wait()
	})
}
