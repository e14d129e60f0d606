package boltstore

import (
	"cmp"
	"context"
	"hash/maphash"
	"slices"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// History lives in two places.
//
// On disk it is an append-only log (bHistoryLog): one record per entry, keyed
// by a sequence number given when the entry is recorded. A screening's
// entries are written in the same commit as the screening itself, so a
// screening costs one commit, and that commit appends to the end of one
// bucket instead of touching a page per history key (the old per-key layout
// wrote about ten scattered pages per screening, which made the single bbolt
// writer the limit).
//
// In memory an index lists, per kind and key, the time and sequence number of
// every entry, oldest first. It is built from the log when the store opens.
// Look-ups read the index and then fetch the records they need.
//
// An entry is pending from RecordHistory until its commit: it is in the index
// at once (with its data in memory), so a screening sees the ones recorded
// before it even while they are uncommitted. Entries whose screening is never
// saved are written by a flusher after flushAfter, and on Close. A crash loses
// only the history of screenings that were not saved either, which is what
// ForgetHistory would have done. Writing an entry twice (by its screening's
// save and by the flusher) puts the same record under the same number.
//
// Ordering: a key's stripe lock covers reading its index list and adding the
// new entry, so of two screenings on one key the one that takes the lock
// second sees the first, and the first never sees the second. An entry stops
// being pending only after its commit, so a reader that finds it committed
// can fetch it.
const (
	flushAfter   = time.Second
	flushEvery   = 250 * time.Millisecond
	pendingLocks = 256
	flushChunk   = 10000 // entries per flush transaction
	// maxPending bounds the entries waiting in memory: past it, RecordHistory
	// writes them at once instead of leaving them to the flusher (a caller
	// that records history much faster than it saves screenings).
	maxPending = 100_000
	// cachePerStripe is the memory, in bytes, that keeps the encoded records
	// of a stripe's newest committed entries (recordcache.go): 256 KiB, some
	// 1,200 records, 64 MiB for the 256 stripes, which the garbage collector
	// does not scan. At 16 MiB, a bench run at 1,000/s spent 5 % of the
	// server's CPU descending bbolt's tree for records the cache had dropped.
	cachePerStripe = 256 << 10
)

// histRef is one entry in the index: pointer-free, so that millions of them
// cost the garbage collector nothing to scan.
type histRef struct {
	at     int64  // the entry's At, Unix nanoseconds
	seq    uint64 // its log record
	screen uint64 // hash of its screening id
	name   uint64 // hash of its NameKey (for OthersOnly)
}

type pendingEntry struct {
	key   uint64 // index key: keyOf(kind, key)
	seq   uint64
	data  []byte // the encoded record
	entry screening.HistoryEntry
	added time.Time
}

type stripe struct {
	mu      sync.Mutex
	byKey   map[uint64]keyRefs       // keyOf(kind, key) → entries, oldest first
	pending map[uint64]*pendingEntry // by seq

	// cache keeps the records of the newest committed entries. Look-ups
	// read newest first, so most of what they need is here and is not
	// fetched from the log again.
	cache recordCache
}

// pick returns where a look-up finds the entry of seq: pending, in the
// cache, or else in the log. The caller holds the stripe.
func (st *stripe) pick(seq uint64) pick {
	if e := st.pending[seq]; e != nil {
		return pick{seq: seq, pend: e}
	}
	if data, ok := st.cache.get(seq); ok {
		return pick{seq: seq, data: data}
	}
	return pick{seq: seq}
}

// keyRefs are the entries of one kind and key. The index is keyed by a
// 64-bit hash of kind and key, not by the strings: one string per key made
// the index hundreds of thousands of heap objects, which the GC marked in
// every cycle. Look-ups check the kind and key of what they read, so two
// keys of one hash never mix their histories; the newer of two colliding
// counterparties would hide the other from SeenCounterparties. At ten
// million keys a collision has about one chance in 300,000, the same order
// the screening-id hashes of histRef already accept.
type keyRefs struct {
	refs         []histRef
	counterparty bool // the kind is HistoryCounterparty (SeenCounterparties)
}

type historyIndex struct {
	seed    maphash.Seed
	stripes [pendingLocks]stripe
	// keyOf hashes kind and key into the index key; a field so that a test
	// can make keys collide.
	keyOf func(kind, key string) uint64

	// mu guards byScreening and count; take it after stripe locks, never before.
	mu          sync.Mutex
	byScreening map[string][]*pendingEntry
	count       int // pending entries
}

func newHistoryIndex() *historyIndex {
	x := &historyIndex{seed: maphash.MakeSeed(), byScreening: map[string][]*pendingEntry{}}
	x.keyOf = func(kind, key string) uint64 {
		var h maphash.Hash
		h.SetSeed(x.seed)
		h.WriteString(kind)
		h.WriteByte(0)
		h.WriteString(key)
		return h.Sum64()
	}
	for i := range x.stripes {
		x.stripes[i].byKey = map[uint64]keyRefs{}
		x.stripes[i].pending = map[uint64]*pendingEntry{}
		x.stripes[i].cache = newRecordCache(cachePerStripe / 2)
	}
	return x
}

func (x *historyIndex) stripeOf(key uint64) *stripe {
	return &x.stripes[key%pendingLocks]
}

// hash stands for a screening id or a name key in the index.
func (x *historyIndex) hash(s string) uint64 { return maphash.String(x.seed, s) }

// lock takes the stripes of the given index keys in ascending order (so two
// callers never wait on each other crosswise) and returns the unlock.
func (x *historyIndex) lock(keys []uint64) func() {
	idx := make([]int, 0, len(keys))
	for _, k := range keys {
		idx = append(idx, int(k%pendingLocks))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		x.stripes[i].mu.Lock()
	}
	return func() {
		for _, i := range slices.Backward(idx) {
			x.stripes[i].mu.Unlock()
		}
	}
}

func (x *historyIndex) lockEntries(es []*pendingEntry) func() {
	keys := make([]uint64, len(es))
	for i, e := range es {
		keys[i] = e.key
	}
	return x.lock(keys)
}

// insert adds a ref to its key's list, keeping the list in (at, seq) order;
// the caller holds the stripe. Entries mostly arrive in time order, so this
// is mostly an append.
func insertRef(list []histRef, r histRef) []histRef {
	i := len(list)
	for i > 0 && cmpRef(list[i-1], r) > 0 {
		i--
	}
	return slices.Insert(list, i, r)
}

func cmpRef(a, b histRef) int {
	return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
}

// removeRef takes the ref with seq out of its key's list; the caller holds
// the stripe.
func (st *stripe) removeRef(key uint64, seq uint64) {
	st.cache.forget(seq)
	kr := st.byKey[key]
	if i := slices.IndexFunc(kr.refs, func(r histRef) bool { return r.seq == seq }); i >= 0 {
		kr.refs = slices.Delete(kr.refs, i, i+1)
	}
	if len(kr.refs) == 0 {
		delete(st.byKey, key)
	} else {
		st.byKey[key] = kr
	}
}

// insertRef adds a ref under key; the caller holds the stripe.
func (st *stripe) insertRef(key uint64, counterparty bool, r histRef) {
	kr := st.byKey[key]
	kr.refs = insertRef(kr.refs, r)
	kr.counterparty = counterparty
	st.byKey[key] = kr
}

// addPending makes an entry pending; the caller holds its stripe.
func (x *historyIndex) addPending(e *pendingEntry) {
	st := x.stripeOf(e.key)
	st.insertRef(e.key, e.entry.Kind == screening.HistoryCounterparty, histRef{at: e.entry.At.UnixNano(), seq: e.seq,
		screen: x.hash(e.entry.ScreeningID), name: x.hash(e.entry.NameKey)})
	st.pending[e.seq] = e
	x.mu.Lock()
	x.byScreening[e.entry.ScreeningID] = append(x.byScreening[e.entry.ScreeningID], e)
	x.count++
	x.mu.Unlock()
}

// committed marks entries as written: they stay in the index, their data
// now comes from the log.
func (x *historyIndex) committed(es []*pendingEntry) {
	if len(es) == 0 {
		return
	}
	unlock := x.lockEntries(es)
	for _, e := range es {
		st := x.stripeOf(e.key)
		if st.pending[e.seq] == e { // not forgotten meanwhile
			delete(st.pending, e.seq)
			st.cache.put(e.seq, e.data)
		}
	}
	x.dropFromScreenings(es)
	unlock()
}

// drop takes pending entries out altogether (ForgetHistory, or a failed
// RecordHistory).
func (x *historyIndex) drop(es []*pendingEntry) {
	if len(es) == 0 {
		return
	}
	unlock := x.lockEntries(es)
	for _, e := range es {
		st := x.stripeOf(e.key)
		if st.pending[e.seq] == e {
			delete(st.pending, e.seq)
			st.removeRef(e.key, e.seq)
		}
	}
	x.dropFromScreenings(es)
	unlock()
}

func (x *historyIndex) dropFromScreenings(es []*pendingEntry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range es {
		id := e.entry.ScreeningID
		before := len(x.byScreening[id])
		rest := slices.DeleteFunc(x.byScreening[id], func(p *pendingEntry) bool { return p == e })
		x.count -= before - len(rest)
		if len(rest) > 0 {
			x.byScreening[id] = rest
		} else {
			delete(x.byScreening, id)
		}
	}
}

// forScreening returns the entries a screening recorded that are still pending.
func (x *historyIndex) forScreening(id string) []*pendingEntry {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.byScreening[id])
}

// older returns up to limit pending entries added before cutoff.
func (x *historyIndex) older(cutoff time.Time, limit int) []*pendingEntry {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []*pendingEntry
	for _, es := range x.byScreening {
		for _, e := range es {
			if len(out) == limit {
				return out
			}
			if e.added.Before(cutoff) {
				out = append(out, e)
			}
		}
	}
	return out
}

func (x *historyIndex) pendingCount() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.count
}

func (x *historyIndex) anyPending() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.byScreening) > 0
}

// matching returns the pending entries that ForgetHistory's entries name.
func (x *historyIndex) matching(entries []screening.HistoryEntry) []*pendingEntry {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []*pendingEntry
	for i := range entries {
		f := &entries[i]
		for _, e := range x.byScreening[f.ScreeningID] {
			if e.entry.Kind == f.Kind && e.entry.Key == f.Key && e.entry.At.Equal(f.At) {
				out = append(out, e)
			}
		}
	}
	return out
}

// writePending appends pending entries to the log, in number order (bbolt
// inserts in order cheaply; out of order, a big transaction goes quadratic).
// Writing one twice writes the same record under the same number.
func writePending(tx *bolt.Tx, es []*pendingEntry) error {
	slices.SortFunc(es, func(a, b *pendingEntry) int { return cmp.Compare(a.seq, b.seq) })
	lb := appendBucket(tx, bHistoryLog)
	for _, e := range es {
		if err := lb.Put(u64(e.seq), e.data); err != nil {
			return err
		}
	}
	return nil
}

// flushHistory commits the pending entries added before cutoff, in a commit
// of their own. They are collected inside the transaction, so a flush and a
// ForgetHistory are ordered by bbolt's single writer: see ForgetHistory.
func (s *Store) flushHistory(ctx context.Context, cutoff time.Time) error {
	if !s.history.anyPending() {
		return nil
	}
	for {
		var written []*pendingEntry
		err := s.batch(ctx, "flush history", func(tx *bolt.Tx) error {
			written = s.history.older(cutoff, flushChunk)
			return writePending(tx, written)
		})
		if err != nil {
			return err
		}
		s.history.committed(written)
		if len(written) < flushChunk {
			return nil
		}
	}
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
