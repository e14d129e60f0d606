package boltstore

import (
	"context"
	"sync"
)

// fanout announces saved snapshots to the watchers of this process. Each
// watcher has its own queue and goroutine, so a slow reader never blocks a
// save and never loses an announcement.
type fanout struct {
	mu     sync.Mutex
	subs   map[*watcher]struct{}
	closed bool
}

type watcher struct {
	mu      sync.Mutex
	pending []string
	wake    chan struct{} // buffered 1: "pending has something"
}

func newFanout() *fanout { return &fanout{subs: map[*watcher]struct{}{}} }

// WatchSnapshots returns a channel that carries the source of every snapshot
// saved through this Store until ctx ends (then it is closed). Only saves in
// this process are seen: the embedded store has one process.
func (s *Store) WatchSnapshots(ctx context.Context) (<-chan string, error) {
	if err := s.Ping(ctx); err != nil {
		return nil, err
	}
	return s.watch.subscribe(ctx), nil
}

func (f *fanout) subscribe(ctx context.Context) <-chan string {
	w := &watcher{wake: make(chan struct{}, 1)}
	out := make(chan string)
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		close(out)
		return out
	}
	f.subs[w] = struct{}{}
	f.mu.Unlock()

	go func() {
		defer close(out)
		defer func() {
			f.mu.Lock()
			delete(f.subs, w)
			f.mu.Unlock()
		}()
		for {
			w.mu.Lock()
			batch := w.pending
			w.pending = nil
			w.mu.Unlock()
			for _, src := range batch {
				select {
				case out <- src:
				case <-ctx.Done():
					return
				}
			}
			select {
			case _, open := <-w.wake:
				if !open {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func (f *fanout) publish(source string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for w := range f.subs {
		w.mu.Lock()
		w.pending = append(w.pending, source)
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default: // already woken: it will read pending
		}
	}
}

// close ends every watch (the store is closing).
func (f *fanout) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for w := range f.subs {
		close(w.wake)
		delete(f.subs, w)
	}
}
