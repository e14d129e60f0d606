package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// History: see historyindex.go for the log, the index and pending entries.

// maxHistory caps the entries RecordHistory returns per entry; a limit of 0
// or less means the cap.
const maxHistory = 1000

// seenPage is how many counterparties SeenCounterparties reads per
// transaction; the callback runs outside any transaction.
const seenPage = 500

// pruneChunk bounds the deletions of one transaction (prune, migration), so
// that screenings, which wait for bbolt's one writer, are held up for
// milliseconds.
const pruneChunk = 2000

func validHistory(entries []screening.HistoryEntry) error {
	for i, e := range entries {
		switch {
		case e.Kind == "" || e.Key == "":
			return screening.Errorf(screening.EINVALID, "history entry %d: kind and key are required", i)
		case e.ScreeningID == "" || strings.IndexByte(e.ScreeningID, 0) >= 0:
			return screening.Errorf(screening.EINVALID, "history entry %d: screening id is required and cannot contain NUL", i)
		case e.Window < 0:
			return screening.Errorf(screening.EINVALID, "history entry %d: negative window", i)
		}
	}
	return nil
}

// pick is one entry a look-up found: pending, or its record (a copy from
// the cache, or "" until fetchHistory reads it from the log; a record is
// never empty).
type pick struct {
	seq  uint64
	pend *pendingEntry
	data string
}

// RecordHistory makes the entries pending and returns, for each, the entries
// of other screenings on its kind and key within its window, newest first.
// Nothing is committed here; SaveScreening writes the entries with the
// screening (historyindex.go).
func (s *Store) RecordHistory(ctx context.Context, entries []screening.HistoryEntry, limit int) ([][]screening.HistoryEntry, error) {
	if err := validHistory(entries); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return [][]screening.HistoryEntry{}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("boltstore: record history: %w", err)
	}
	if limit <= 0 || limit > maxHistory {
		limit = maxHistory
	}
	now := time.Now()
	mine := make([]*pendingEntry, len(entries))
	keys := make([]uint64, len(entries))
	for i := range entries {
		e := &entries[i]
		data := encodeHistory(e)
		m := &pendingEntry{key: s.history.keyOf(e.Kind, e.Key), seq: s.nextSeq.Add(1), data: data, added: now}
		// Readers get what a committed entry decodes to (UTC, no window).
		if err := decodeHistory(data, &m.entry); err != nil {
			return nil, fmt.Errorf("boltstore: history entry %d: %w", i, err)
		}
		mine[i], keys[i] = m, m.key
	}
	picks := make([][]pick, len(entries))
	unlock := s.history.lock(keys)
	for i, m := range mine {
		st := s.history.stripeOf(m.key)
		list := st.byKey[m.key].refs
		lo, hi := 0, len(list)
		if w := entries[i].Window; w > 0 {
			at := m.entry.At.UnixNano()
			lower, upper := at-int64(w), at+int64(w) // both inclusive
			lo = sort.Search(len(list), func(j int) bool { return list[j].at >= lower })
			hi = sort.Search(len(list), func(j int) bool { return list[j].at > upper })
		}
		own, ownName := s.history.hash(m.entry.ScreeningID), s.history.hash(m.entry.NameKey)
		othersOnly := entries[i].OthersOnly
		// Sized once: a hot key fills up to limit, and growing by doubling
		// was 5 % of a screening's allocations.
		picks[i] = make([]pick, 0, min(limit, hi-lo))
		var companies map[uint64]bool // OthersOnly: one entry each, the newest
		if othersOnly {
			companies = map[uint64]bool{ownName: true}
		}
		for j := hi - 1; j >= lo && len(picks[i]) < limit; j-- {
			r := list[j]
			if r.screen == own || companies[r.name] {
				continue
			}
			if othersOnly {
				companies[r.name] = true
			}
			picks[i] = append(picks[i], st.pick(r.seq))
		}
		s.history.addPending(m) // the call's later entries see the earlier ones
	}
	unlock()
	if s.beforeHistoryRead != nil {
		s.beforeHistoryRead()
	}
	out, err := s.fetchHistory(ctx, picks)
	if err != nil {
		s.history.drop(mine)
		return nil, err
	}
	for i, es := range out {
		// The index knows keys by hash only (keyRefs).
		out[i] = slices.DeleteFunc(es, func(e screening.HistoryEntry) bool {
			return e.Kind != entries[i].Kind || e.Key != entries[i].Key
		})
	}
	if s.history.pendingCount() > maxPending {
		// An error leaves them pending; the flusher and Close try again.
		_ = s.flushHistory(ctx, time.Now().Add(time.Hour))
	}
	return out, nil
}

// fetchHistory turns picks into entries: pending ones from memory, cached
// ones from their record's copy, the rest from the log. A record that is
// gone by now (pruned or forgotten since the pick) is left out.
func (s *Store) fetchHistory(ctx context.Context, picks [][]pick) ([][]screening.HistoryEntry, error) {
	needLog := false
	for _, ps := range picks {
		for _, p := range ps {
			needLog = needLog || (p.pend == nil && p.data == "")
		}
	}
	if needLog {
		err := s.viewNow(ctx, "read history", func(tx *bolt.Tx) error {
			c := tx.Bucket(bHistoryLog).Cursor() // one cursor: Get would make one per record
			var key [8]byte
			for _, ps := range picks {
				for j := range ps {
					p := &ps[j]
					if p.pend != nil || p.data != "" {
						continue
					}
					binary.BigEndian.PutUint64(key[:], p.seq)
					if k, v := c.Seek(key[:]); bytes.Equal(k, key[:]) {
						p.data = string(v)
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([][]screening.HistoryEntry, len(picks))
	for i, ps := range picks {
		l := make([]screening.HistoryEntry, 0, len(ps))
		for _, p := range ps {
			if p.pend != nil {
				l = append(l, p.pend.entry)
				continue
			}
			if p.data == "" {
				continue
			}
			l = append(l, screening.HistoryEntry{})
			if err := decodeHistoryString(p.data, &l[len(l)-1]); err != nil {
				return nil, fmt.Errorf("boltstore: history record %d: %w", p.seq, err)
			}
		}
		out[i] = l
	}
	return out, nil
}

// ForgetHistory removes what the given entries recorded: every entry of the
// same screening on the same kind and key at the same time.
func (s *Store) ForgetHistory(ctx context.Context, entries []screening.HistoryEntry) error {
	if err := validHistory(entries); err != nil || len(entries) == 0 {
		return err
	}
	// Pending ones go first: a flush that already took them commits before
	// the deletion below (one writer at a time), and no later flush finds them.
	dropped := s.history.matching(entries)
	s.history.drop(dropped)
	type gone struct {
		key          uint64
		counterparty bool
		r            histRef
	}
	var committed []gone
	keys := make([]uint64, len(entries))
	for i, e := range entries {
		keys[i] = s.history.keyOf(e.Kind, e.Key)
	}
	unlock := s.history.lock(keys)
	for i, e := range entries {
		st := s.history.stripeOf(keys[i])
		at, screen := e.At.UnixNano(), s.history.hash(e.ScreeningID)
		kr := st.byKey[keys[i]]
		for _, r := range kr.refs {
			if r.at == at && r.screen == screen && st.pending[r.seq] == nil {
				committed = append(committed, gone{keys[i], kr.counterparty, r})
			}
		}
		for _, g := range committed {
			if g.key == keys[i] {
				st.removeRef(g.key, g.r.seq)
			}
		}
	}
	unlock()
	err := s.update(ctx, "forget history", func(tx *bolt.Tx) error {
		lb := tx.Bucket(bHistoryLog)
		for _, g := range committed {
			if err := lb.Delete(u64(g.r.seq)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Nothing was deleted: put everything back, so that what readers
		// see does not depend on the failed attempt. A retry removes them.
		for _, e := range dropped {
			unlock := s.history.lock([]uint64{e.key})
			s.history.addPending(e)
			unlock()
		}
		for _, g := range committed {
			unlock := s.history.lock([]uint64{g.key})
			s.history.stripeOf(g.key).insertRef(g.key, g.counterparty, g.r)
			unlock()
		}
	}
	return err
}

// SeenCounterparties calls fn with the newest entry of every counterparty
// whose newest entry is at or after since, oldest first. fn runs outside any
// transaction (it may write to the store), so records are read page by page.
func (s *Store) SeenCounterparties(ctx context.Context, since time.Time, fn func(screening.HistoryEntry) error) error {
	from := since.UnixNano()
	type newest struct {
		r histRef
		p pick
	}
	var all []newest
	for i := range s.history.stripes {
		st := &s.history.stripes[i]
		st.mu.Lock()
		for _, kr := range st.byKey {
			if list := kr.refs; kr.counterparty && len(list) > 0 && list[len(list)-1].at >= from {
				r := list[len(list)-1]
				all = append(all, newest{r, st.pick(r.seq)})
			}
		}
		st.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b newest) int { return cmpRef(a.r, b.r) })
	for len(all) > 0 {
		page := all[:min(len(all), seenPage)]
		all = all[len(page):]
		picks := make([]pick, len(page))
		for i, n := range page {
			picks[i] = n.p
		}
		got, err := s.fetchHistory(ctx, [][]pick{picks})
		if err != nil {
			return err
		}
		for _, e := range got[0] {
			if err := ctx.Err(); err != nil {
				return err
			}
			if e.Kind != screening.HistoryCounterparty {
				continue // another kind's key of the same hash (keyRefs)
			}
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// PruneHistory removes history entries received before the cutoff. The
// newest entry of a counterparty goes with the rest, so it drops out of
// SeenCounterparties too.
func (s *Store) PruneHistory(ctx context.Context, before time.Time) (int, error) {
	const op = "prune history"
	if err := s.flushHistory(ctx, time.Now().Add(time.Hour)); err != nil {
		return 0, err
	}
	cut := before.UnixNano()
	var doomed []uint64
	for i := range s.history.stripes {
		st := &s.history.stripes[i]
		st.mu.Lock()
		for key, kr := range st.byKey {
			list := kr.refs
			n := sort.Search(len(list), func(j int) bool { return list[j].at >= cut })
			if n == 0 {
				continue
			}
			var kept []histRef // recorded since the flush: stays
			for _, r := range list[:n] {
				if st.pending[r.seq] == nil {
					st.cache.forget(r.seq)
					doomed = append(doomed, r.seq)
				} else {
					kept = append(kept, r)
				}
			}
			if rest := append(kept, list[n:]...); len(rest) > 0 {
				st.byKey[key] = keyRefs{refs: rest, counterparty: kr.counterparty}
			} else {
				delete(st.byKey, key)
			}
		}
		st.mu.Unlock()
	}
	slices.Sort(doomed)
	removed := 0
	for len(doomed) > 0 {
		chunk := doomed[:min(len(doomed), pruneChunk)]
		doomed = doomed[len(chunk):]
		err := s.update(ctx, op, func(tx *bolt.Tx) error {
			lb := tx.Bucket(bHistoryLog)
			for _, seq := range chunk {
				if err := lb.Delete(u64(seq)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return removed, err
		}
		removed += len(chunk)
	}
	return removed, nil
}

// loadHistory builds the index from the log when the store opens, after
// moving any history of the older per-key layout into the log.
func (s *Store) loadHistory() error {
	if err := s.migrateHistory(); err != nil {
		return fmt.Errorf("move history to the log: %w", err)
	}
	return s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bHistoryLog).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("history log key %x is malformed", k)
			}
			seq := binary.BigEndian.Uint64(k)
			at, head, err := historyHead(v)
			if err != nil {
				return fmt.Errorf("history record %d: %w", seq, err)
			}
			kind := string(head[0])
			key := s.history.keyOf(kind, string(head[1]))
			st := s.history.stripeOf(key)
			kr := st.byKey[key]
			kr.refs = append(kr.refs, histRef{at: at, seq: seq,
				screen: s.history.hash(string(head[2])), name: s.history.hash(string(head[6]))})
			kr.counterparty = kind == screening.HistoryCounterparty
			st.byKey[key] = kr
			s.nextSeq.Store(max(s.nextSeq.Load(), seq))
		}
		for i := range s.history.stripes {
			for _, kr := range s.history.stripes[i].byKey {
				slices.SortFunc(kr.refs, cmpRef)
			}
		}
		return nil
	})
}

// historyHead reads the time and the first seven fields of a log record
// (kind, key, screening id, reference, party, name, name key) without
// decoding the rest.
func historyHead(v []byte) (at int64, head [7][]byte, err error) {
	if len(v) < 9 || v[0] != historyCodecV1 {
		return 0, head, errors.New("unknown encoding")
	}
	at = int64(binary.BigEndian.Uint64(v[1:9]))
	rest := v[9:]
	for i := range head {
		var ok bool
		if head[i], rest, ok = cutLP(rest); !ok {
			return 0, head, errors.New("truncated")
		}
	}
	return at, head, nil
}

// migrateHistory moves entries of the per-key layout (bHistory, before the
// log) into the log, a chunk per transaction, and then empties the "last
// seen" buckets that went with it.
func (s *Store) migrateHistory() error {
	for {
		moved := 0
		err := s.db.Update(func(tx *bolt.Tx) error {
			moved = 0
			lb := tx.Bucket(bHistoryLog)
			next := uint64(0)
			if k, _ := lb.Cursor().Last(); k != nil {
				next = binary.BigEndian.Uint64(k)
			}
			c := tx.Bucket(bHistory).Cursor()
			for k, v := c.First(); k != nil && moved < pruneChunk; k, v = c.First() {
				var e screening.HistoryEntry
				if err := decodeHistory(v, &e); err != nil {
					return fmt.Errorf("history entry %x: %w", k, err)
				}
				next++
				if err := lb.Put(u64(next), encodeHistory(&e)); err != nil {
					return err
				}
				if err := c.Delete(); err != nil {
					return err
				}
				moved++
			}
			if moved > 0 {
				return nil
			}
			for _, name := range [][]byte{bSeenLatest, bSeenAt} {
				if k, _ := tx.Bucket(name).Cursor().First(); k == nil {
					continue
				}
				if err := tx.DeleteBucket(name); err != nil {
					return err
				}
				if _, err := tx.CreateBucket(name); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || moved == 0 {
			return err
		}
	}
}
