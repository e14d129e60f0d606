package main

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// listWatcher keeps the service's lists in step with the store: it reloads when
// the store announces a new snapshot (Redis pub/sub, or in-process for the
// embedded store) and polls as a fallback, then re-screens known counterparties
// against what changed. One replica runs each re-screen (Cache.Lock).
type listWatcher struct {
	lists    *screening.Lists
	store    screening.Store
	locks    screening.Cache // one replica runs each re-screen
	rescreen *screening.Rescreener
	log      *slog.Logger
	poll     time.Duration
	onReload func(*screening.ListSet) // metrics hook, may be nil
	// observe is told of each re-screening that ran or failed to (metrics
	// hook, may be nil); one the service's stop cut short is not reported.
	observe   func(rep screening.RescreenReport, err error, at time.Time)
	mu        sync.Mutex    // one reload at a time
	retryAt   atomic.Int64  // unix ns: a failed re-screening is not taken up again before
	kick      chan struct{} // a reload recorded a change to re-screen
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
	w.kick = make(chan struct{}, 1)
	var events <-chan string
	if lw, ok := w.store.(screening.ListWatcher); ok {
		ch, err := lw.WatchSnapshots(ctx)
		if err != nil {
			w.log.Warn("list announcements unavailable; polling only", slog.Any("err", err))
		} else {
			events = ch
		}
	}
	// Re-screenings run on their own goroutine, so that a long one (paced,
	// against many counterparties) does not hold back the next list version:
	// a listing must be in force at once. Each takes up whatever is pending
	// then, including what the last run of the service left.
	w.wg.Go(func() {
		t := time.NewTicker(w.poll)
		defer t.Stop()
		for {
			w.resume(ctx)
			select {
			case <-ctx.Done():
				return
			case <-w.kick:
			case <-t.C:
			}
		}
	})
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

// reload swaps in new lists when the store has them and wakes the re-screen
// goroutine. What changed needs no working out here: the import recorded it
// (Store.AddRescreenPending) before it saved the snapshot.
func (w *listWatcher) reload(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, next, err := w.lists.Reload(ctx, w.store, time.Now())
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
	select {
	case w.kick <- struct{}{}:
	default: // one is due already (or the watcher is not started); it reads every pending change
	}
}

// rescreenRetry is how long a failed re-screening waits before the polls
// take it up again: it starts over from its first counterparty.
const rescreenRetry = 5 * time.Minute

// resume re-screens the pending list entries (Store.RescreenPending) against
// the loaded lists, unless another replica is at it or the last attempt failed
// less than rescreenRetry ago. The lock comes first: replicas that poll while
// another re-screens do not read the pending items (a million after a large
// import). An entry no longer listed is dropped from the pending ones: its
// removal needs no re-screening.
func (w *listWatcher) resume(ctx context.Context) {
	if w.rescreen == nil || time.Now().UnixNano() < w.retryAt.Load() {
		return
	}
	set := w.lists.Current()
	if set == nil {
		return // the lists are not loaded yet: a later poll
	}
	release, ok := w.lockRescreen(ctx, set.Version)
	if !ok {
		return
	}
	defer release()
	items, err := w.store.RescreenPending(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("pending re-screenings unreadable; retried at the next poll", slog.Any("err", err))
			w.report(screening.RescreenReport{}, err)
		}
		return
	}
	if len(items) == 0 {
		return
	}
	delta := make([]screening.Entry, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, item := range items {
		key := screening.PendingKey(item)
		if seen[key] {
			continue
		}
		seen[key] = true
		if e, ok := set.Entry(key); ok {
			delta = append(delta, *e) // as listed now, whichever change recorded it
		}
	}
	w.runRescreen(ctx, set, delta, items)
}

// lockRescreen takes the replicas' re-screen lock; ok is false when another
// replica holds it or the lock cannot be asked for (the next poll tries again).
func (w *listWatcher) lockRescreen(ctx context.Context, version string) (release func(), ok bool) {
	release, ok, err := w.locks.Lock(ctx, "rescreen", 30*time.Minute)
	if err != nil {
		w.log.Warn("re-screen lock unavailable; retried at the next poll", slog.String("version", version), slog.Any("err", err))
		return nil, false
	}
	if !ok {
		w.log.Debug("another replica is re-screening; pending list changes are taken up after it", slog.String("version", version))
	}
	return release, ok
}

// runRescreen re-screens delta against the known counterparties, under the
// re-screen lock, then removes done from the pending entries.
func (w *listWatcher) runRescreen(ctx context.Context, set *screening.ListSet, delta []screening.Entry, done []string) {
	if len(delta) > 0 {
		rep, err := w.rescreen.Run(ctx, set, delta)
		if err != nil {
			if ctx.Err() != nil {
				w.log.Info("re-screening stopped with the service; it resumes at the next start", slog.Any("report", rep))
				return
			}
			w.retryAt.Store(time.Now().Add(rescreenRetry).UnixNano())
			w.log.Error("re-screening failed; it starts again in "+rescreenRetry.String(), slog.Any("err", err), slog.Any("report", rep))
			w.report(rep, err)
			return
		}
		w.report(rep, nil)
		w.log.Info("re-screening done", slog.String("version", set.Version), slog.Int("delta_entries", rep.DeltaEntries), slog.Int("counterparties", rep.Counterparties),
			slog.Int("hits", rep.Hits), slog.Int("cases", rep.Cases), slog.Int("known", rep.Known), slog.Duration("took", rep.Duration))
	}
	if err := w.store.RemoveRescreenPending(ctx, done); err != nil && ctx.Err() == nil {
		// Harmless: the next poll runs it again, and re-screening the same
		// entries opens nothing twice.
		w.log.Warn("re-screened entries not cleared; they are re-screened again", slog.Any("err", err))
	}
}

func (w *listWatcher) report(rep screening.RescreenReport, err error) {
	if w.observe != nil {
		w.observe(rep, err, time.Now())
	}
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
