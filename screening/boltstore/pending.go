package boltstore

import (
	"bytes"
	"context"
	"hash/maphash"
	"slices"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// History a screening records is not committed on its own. It waits here,
// in memory, and is written in the same commit as the screening that
// recorded it (SaveScreening), so that a screening costs one commit and one
// fsync instead of two. Entries whose screening is never saved are written
// by a flusher after flushAfter, and on Close. A crash loses only the history
// of screenings that were not saved either, which is what ForgetHistory would
// have done.
//
// Readers look at both: the pending entries of a key, then the committed
// ones. A key's stripe lock is held from taking the pending snapshot to the
// end of the bbolt read, and an entry leaves the pending set only after its
// commit, under the same lock. So of two screenings on one key, the one that
// takes the lock second sees the first (pending or committed), and the first
// cannot see the second: the second is neither pending nor committed while
// the first reads.
const (
	flushAfter   = time.Second
	flushEvery   = 250 * time.Millisecond
	pendingLocks = 256
)

type pendingEntry struct {
	prefix, suffix, data []byte // bHistory key = prefix+suffix
	entry                screening.HistoryEntry
	added                time.Time
}

type stripe struct {
	mu    sync.Mutex
	byKey map[string][]*pendingEntry // by history prefix, in recording order
}

type pendingHistory struct {
	seed    maphash.Seed
	stripes [pendingLocks]stripe

	// mu guards byScreening; take it after stripe locks, never before.
	mu          sync.Mutex
	byScreening map[string][]*pendingEntry
}

func newPendingHistory() *pendingHistory {
	p := &pendingHistory{seed: maphash.MakeSeed(), byScreening: map[string][]*pendingEntry{}}
	for i := range p.stripes {
		p.stripes[i].byKey = map[string][]*pendingEntry{}
	}
	return p
}

func (p *pendingHistory) stripeOf(prefix []byte) int {
	return int(maphash.Bytes(p.seed, prefix) % pendingLocks)
}

// lock takes the stripes of the given prefixes in ascending order (so two
// callers never wait on each other crosswise) and returns the unlock.
func (p *pendingHistory) lock(prefixes [][]byte) func() {
	idx := make([]int, 0, len(prefixes))
	for _, pre := range prefixes {
		idx = append(idx, p.stripeOf(pre))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		p.stripes[i].mu.Lock()
	}
	return func() {
		for _, i := range slices.Backward(idx) {
			p.stripes[i].mu.Unlock()
		}
	}
}

// lockEntries locks the stripes of the entries' keys.
func (p *pendingHistory) lockEntries(es []*pendingEntry) func() {
	prefixes := make([][]byte, len(es))
	for i, e := range es {
		prefixes[i] = e.prefix
	}
	return p.lock(prefixes)
}

// forScreening returns the entries a screening recorded that are still pending.
func (p *pendingHistory) forScreening(id string) []*pendingEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.byScreening[id])
}

// older returns every pending entry added before cutoff.
func (p *pendingHistory) older(cutoff time.Time) []*pendingEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*pendingEntry
	for _, es := range p.byScreening {
		for _, e := range es {
			if e.added.Before(cutoff) {
				out = append(out, e)
			}
		}
	}
	return out
}

func (p *pendingHistory) empty() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.byScreening) == 0
}

// add makes entries pending; the caller holds their stripes.
func (p *pendingHistory) add(es []*pendingEntry) {
	for _, e := range es {
		st := &p.stripes[p.stripeOf(e.prefix)]
		st.byKey[string(e.prefix)] = append(st.byKey[string(e.prefix)], e)
	}
	p.mu.Lock()
	for _, e := range es {
		p.byScreening[e.entry.ScreeningID] = append(p.byScreening[e.entry.ScreeningID], e)
	}
	p.mu.Unlock()
}

// restore puts removed entries back.
func (p *pendingHistory) restore(es []*pendingEntry) {
	if len(es) == 0 {
		return
	}
	defer p.lockEntries(es)()
	p.add(es)
}

// remove takes entries out of the pending set (those already gone are
// skipped): after their commit, or when forgotten.
func (p *pendingHistory) remove(es []*pendingEntry) {
	if len(es) == 0 {
		return
	}
	unlock := p.lockEntries(es)
	for _, e := range es {
		st := &p.stripes[p.stripeOf(e.prefix)]
		k := string(e.prefix)
		if rest := slices.DeleteFunc(st.byKey[k], func(x *pendingEntry) bool { return x == e }); len(rest) > 0 {
			st.byKey[k] = rest
		} else {
			delete(st.byKey, k)
		}
	}
	p.mu.Lock()
	for _, e := range es {
		id := e.entry.ScreeningID
		if rest := slices.DeleteFunc(p.byScreening[id], func(x *pendingEntry) bool { return x == e }); len(rest) > 0 {
			p.byScreening[id] = rest
		} else {
			delete(p.byScreening, id)
		}
	}
	p.mu.Unlock()
	unlock()
}

// matching returns the pending entries that ForgetHistory's entries name:
// the same kind, key, time and screening.
func (p *pendingHistory) matching(entries []screening.HistoryEntry) []*pendingEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*pendingEntry
	for i := range entries {
		f := &entries[i]
		for _, e := range p.byScreening[f.ScreeningID] {
			if e.entry.Kind == f.Kind && e.entry.Key == f.Key && e.entry.At.Equal(f.At) {
				out = append(out, e)
			}
		}
	}
	return out
}

// writePending puts pending entries into the history buckets. Writing one
// twice (by its screening's save and by the flusher) writes the same bytes.
func writePending(tx *bolt.Tx, es []*pendingEntry) error {
	hb := tx.Bucket(bHistory)
	for _, e := range es {
		if err := hb.Put(cat(e.prefix, e.suffix), e.data); err != nil {
			return err
		}
		if e.entry.Kind == screening.HistoryCounterparty {
			if err := noteSeen(tx, e.entry.Key, e.suffix); err != nil {
				return err
			}
		}
	}
	return nil
}

// flushHistory commits the pending entries added before cutoff, in a commit
// of their own. They are collected inside the transaction, so a flush and a
// ForgetHistory are ordered by bbolt's single writer: see ForgetHistory.
func (s *Store) flushHistory(ctx context.Context, cutoff time.Time) error {
	if s.pending.empty() {
		return nil
	}
	var written []*pendingEntry
	err := s.batch(ctx, "flush history", func(tx *bolt.Tx) error {
		written = s.pending.older(cutoff)
		return writePending(tx, written)
	})
	if err != nil {
		return err
	}
	s.pending.remove(written)
	return nil
}

// flushLoop writes history that no screening save took with it (a screening
// that failed, or a caller that only records history) once it is flushAfter
// old, until stop closes.
func (s *Store) flushLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			// An error (store closed, disk full) leaves the entries pending;
			// the next tick tries again and Close tries last.
			_ = s.flushHistory(ctx, time.Now().Add(-flushAfter))
			cancel()
		}
	}
}

// inWindow reports whether a history key suffix lies in [lower, upper); a nil
// bound is open.
func inWindow(suffix, upper, lower []byte) bool {
	return (upper == nil || bytes.Compare(suffix, upper) < 0) && (lower == nil || bytes.Compare(suffix, lower) >= 0)
}
