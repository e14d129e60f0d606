package boltstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// maxHistory caps the entries RecordHistory returns per entry; a limit of 0
// or less means the cap.
const maxHistory = 1000

// seenPage is how many counterparties SeenCounterparties reads per
// transaction; the callback runs outside any transaction.
const seenPage = 500

func historyPrefix(kind, key string) []byte { return cat(lp(kind), lp(key)) }

// historySuffix orders entries of one key by time, then screening id; the
// NUL ends the id (so "scr_1" sorts before "scr_10", as strings do) and the
// content hash keeps two entries of one screening at one instant apart.
func historySuffix(e *screening.HistoryEntry, data []byte) []byte {
	sum := sha256.Sum256(data)
	return cat(timeKey(e.At), []byte(e.ScreeningID), []byte{0}, sum[:8])
}

// screeningOf returns the screening id inside a history key suffix.
func screeningOf(suffix []byte) []byte {
	rest := suffix[timeLen:]
	if i := bytes.IndexByte(rest, 0); i >= 0 {
		return rest[:i]
	}
	return rest
}

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

// RecordHistory makes the entries pending (see pending.go) and reads, for
// each, the entries of other screenings on its kind and key within its
// window: the pending ones and the committed ones. Nothing is committed
// here; SaveScreening writes the entries with the screening.
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
	prefixes := make([][]byte, len(entries))
	for i := range entries {
		e := &entries[i]
		data := encodeHistory(e)
		m := &pendingEntry{prefix: historyPrefix(e.Kind, e.Key), suffix: historySuffix(e, data), data: data, added: now}
		// Readers get what a committed entry decodes to (UTC, no window).
		if err := decodeHistory(data, &m.entry); err != nil {
			return nil, fmt.Errorf("boltstore: history entry %d: %w", i, err)
		}
		mine[i], prefixes[i] = m, m.prefix
	}
	// For entries[i]: the pending entries found (and their key suffixes),
	// then the committed values, copied as strings and decoded after the read.
	pending := make([][]screening.HistoryEntry, len(entries))
	sufs := make([][][]byte, len(entries))
	vals := make([][]string, len(entries))
	unlock := s.pending.lock(prefixes)
	for i, m := range mine {
		upper, lower := historyBounds(&entries[i])
		for _, p := range s.pending.stripes[s.pending.stripeOf(m.prefix)].byKey[string(m.prefix)] {
			if p.entry.ScreeningID != m.entry.ScreeningID && inWindow(p.suffix, upper, lower) {
				pending[i] = append(pending[i], p.entry)
				sufs[i] = append(sufs[i], p.suffix)
			}
		}
		s.pending.add(mine[i : i+1]) // the call's later entries see the earlier ones
	}
	if s.beforeHistoryRead != nil {
		s.beforeHistoryRead()
	}
	// Committed entries are read under the same locks: see pending.go.
	err := s.view(ctx, "record history", func(tx *bolt.Tx) error {
		hb := tx.Bucket(bHistory)
		for i, m := range mine {
			upper, lower := historyBounds(&entries[i])
			own := []byte(m.entry.ScreeningID)
			pend := len(sufs[i])
			err := walkDesc(hb, m.prefix, upper, lower, func(rest, v []byte) (bool, error) {
				if bytes.Equal(screeningOf(rest), own) {
					return true, nil
				}
				// Committed but not yet out of the pending set: already listed.
				if pend > 0 && slices.ContainsFunc(sufs[i][:pend], func(p []byte) bool { return bytes.Equal(p, rest) }) {
					return true, nil
				}
				vals[i] = append(vals[i], string(v))
				if pend > 0 {
					sufs[i] = append(sufs[i], bytes.Clone(rest))
				}
				return len(vals[i]) < limit, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	unlock()
	if err != nil {
		s.pending.remove(mine)
		return nil, err
	}
	out := make([][]screening.HistoryEntry, len(entries))
	for i := range entries {
		committed := make([]screening.HistoryEntry, len(vals[i]))
		for j, v := range vals[i] {
			if err := decodeHistoryString(v, &committed[j]); err != nil {
				s.pending.remove(mine)
				return nil, fmt.Errorf("boltstore: decode history entry: %w", err)
			}
		}
		if len(pending[i]) > 0 {
			committed = mergeNewestFirst(pending[i], sufs[i][:len(pending[i])], committed, sufs[i][len(pending[i]):])
		}
		out[i] = committed[:min(len(committed), limit)]
	}
	return out, nil
}

// mergeNewestFirst merges pending entries (in recording order) into committed
// ones (newest first, as the keys sort), by their key suffixes.
func mergeNewestFirst(pend []screening.HistoryEntry, pendSufs [][]byte, committed []screening.HistoryEntry, comSufs [][]byte) []screening.HistoryEntry {
	order := make([]int, len(pend))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(pendSufs[b], pendSufs[a]) })
	out := make([]screening.HistoryEntry, 0, len(pend)+len(committed))
	j := 0
	for _, p := range order {
		for j < len(committed) && bytes.Compare(comSufs[j], pendSufs[p]) > 0 {
			out = append(out, committed[j])
			j++
		}
		out = append(out, pend[p])
	}
	return append(out, committed[j:]...)
}

// historyBounds gives an entry's window as history key suffix bounds: upper
// exclusive, lower inclusive, both nil for no window.
func historyBounds(e *screening.HistoryEntry) (upper, lower []byte) {
	if e.Window > 0 {
		upper = timeKey(e.At.Add(e.Window).Add(time.Nanosecond))
		lower = timeKey(e.At.Add(-e.Window))
	}
	return upper, lower
}

// noteSeen keeps, per counterparty, a pointer to its newest entry and one
// time-ordered key for it, so that SeenCounterparties walks only what changed.
func noteSeen(tx *bolt.Tx, key string, suffix []byte) error {
	lb, sb := tx.Bucket(bSeenLatest), tx.Bucket(bSeenAt)
	old := bytes.Clone(lb.Get([]byte(key)))
	if old != nil && bytes.Compare(old, suffix) >= 0 {
		return nil
	}
	if old != nil {
		if err := sb.Delete(cat(old[:timeLen], []byte(key))); err != nil {
			return err
		}
	}
	if err := lb.Put([]byte(key), suffix); err != nil {
		return err
	}
	return sb.Put(cat(suffix[:timeLen], []byte(key)), []byte{})
}

// ForgetHistory removes what the given entries recorded: every entry of the
// same screening on the same kind and key at the same time.
func (s *Store) ForgetHistory(ctx context.Context, entries []screening.HistoryEntry) error {
	if err := validHistory(entries); err != nil || len(entries) == 0 {
		return err
	}
	// Out of the pending set first: a flush that already took them commits
	// before the deletion below (one writer at a time), and no later one
	// finds them.
	dropped := s.pending.matching(entries)
	s.pending.remove(dropped)
	err := s.update(ctx, "forget history", func(tx *bolt.Tx) error {
		hb := tx.Bucket(bHistory)
		for i := range entries {
			e := &entries[i]
			prefix := historyPrefix(e.Kind, e.Key)
			gone := cat(timeKey(e.At), []byte(e.ScreeningID), []byte{0})
			var keys [][]byte
			err := walkAsc(hb, cat(prefix, gone), nil, func(rest, _ []byte) (bool, error) {
				keys = append(keys, cat(prefix, gone, rest))
				return true, nil
			})
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := hb.Delete(k); err != nil {
					return err
				}
			}
			if e.Kind == screening.HistoryCounterparty && len(keys) > 0 {
				if err := reseen(tx, e.Key, gone); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		// Nothing was deleted: put them back, so that what readers see does
		// not depend on whether a flush came first. A retry removes them.
		s.pending.restore(dropped)
	}
	return err
}

// reseen points a counterparty back at its newest remaining entry when the
// one it pointed at (starting with gone) was forgotten.
func reseen(tx *bolt.Tx, key string, gone []byte) error {
	lb, sb := tx.Bucket(bSeenLatest), tx.Bucket(bSeenAt)
	latest := bytes.Clone(lb.Get([]byte(key)))
	if latest == nil || !bytes.HasPrefix(latest, gone) {
		return nil
	}
	if err := sb.Delete(cat(latest[:timeLen], []byte(key))); err != nil {
		return err
	}
	if err := lb.Delete([]byte(key)); err != nil {
		return err
	}
	var newest []byte
	err := walkDesc(tx.Bucket(bHistory), historyPrefix(screening.HistoryCounterparty, key), nil, nil, func(rest, _ []byte) (bool, error) {
		newest = bytes.Clone(rest)
		return false, nil
	})
	if err != nil || newest == nil {
		return err
	}
	return noteSeen(tx, key, newest)
}

// SeenCounterparties calls fn with the newest entry of every counterparty
// whose newest entry is at or after since, oldest first. fn runs outside any
// transaction (it may write to the store), so the walk goes page by page.
func (s *Store) SeenCounterparties(ctx context.Context, since time.Time, fn func(screening.HistoryEntry) error) error {
	if err := s.flushHistory(ctx, time.Now()); err != nil {
		return err
	}
	from := timeKey(since)
	for {
		var batch []screening.HistoryEntry
		var last []byte
		err := s.view(ctx, "seen counterparties", func(tx *bolt.Tx) error {
			lb, hb := tx.Bucket(bSeenLatest), tx.Bucket(bHistory)
			return walkAsc(tx.Bucket(bSeenAt), nil, from, func(rest, _ []byte) (bool, error) {
				key := rest[timeLen:]
				suffix := lb.Get(key)
				data := hb.Get(cat(historyPrefix(screening.HistoryCounterparty, string(key)), suffix))
				if suffix == nil || data == nil {
					return false, fmt.Errorf("seen index points at a missing entry of %q", key)
				}
				var e screening.HistoryEntry
				if err := decodeHistory(data, &e); err != nil {
					return false, fmt.Errorf("decode history entry: %w", err)
				}
				batch = append(batch, e)
				last = bytes.Clone(rest)
				return len(batch) < seenPage, nil
			})
		})
		if err != nil {
			return err
		}
		for _, e := range batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(batch) < seenPage {
			return nil
		}
		from = cat(last, []byte{0}) // the next key after last
	}
}

// pruneChunk bounds the deletions of one prune transaction, so that screenings
// (which wait for bbolt's one writer) are held up for milliseconds, not for
// the whole prune.
const pruneChunk = 2000

// PruneHistory removes history entries received before cutoff, and the
// "last seen" records of counterparties whose newest entry is older.
func (s *Store) PruneHistory(ctx context.Context, before time.Time) (int, error) {
	const op = "prune history"
	if err := s.flushHistory(ctx, time.Now()); err != nil {
		return 0, err
	}
	cut := timeKey(before)
	// The "last seen" records first: one that pointed at a pruned entry would
	// make SeenCounterparties fail. The index is ordered by the time of each
	// counterparty's newest entry.
	for done := false; !done; {
		err := s.update(ctx, op, func(tx *bolt.Tx) error {
			sb, lb := tx.Bucket(bSeenAt), tx.Bucket(bSeenLatest)
			c := sb.Cursor()
			var doomed [][]byte
			k, _ := c.First()
			for ; k != nil && len(doomed) < pruneChunk && bytes.Compare(k[:timeLen], cut) < 0; k, _ = c.Next() {
				doomed = append(doomed, bytes.Clone(k))
			}
			done = len(doomed) < pruneChunk
			for _, d := range doomed {
				if err := sb.Delete(d); err != nil {
					return err
				}
				if err := lb.Delete(d[timeLen:]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	removed := 0
	var from []byte // where the next chunk resumes scanning
	for done := false; !done; {
		err := s.update(ctx, op, func(tx *bolt.Tx) error {
			c := tx.Bucket(bHistory).Cursor()
			var doomed [][]byte
			k, _ := c.First()
			if from != nil {
				k, _ = c.Seek(from)
			}
			for ; k != nil && len(doomed) < pruneChunk; k, _ = c.Next() {
				at, ok := historyTime(k)
				if !ok {
					return fmt.Errorf("history key %x is malformed", k)
				}
				if bytes.Compare(at, cut) < 0 {
					doomed = append(doomed, bytes.Clone(k))
				}
			}
			if k == nil {
				done = true
			} else {
				from = bytes.Clone(k)
			}
			hb := tx.Bucket(bHistory)
			for _, d := range doomed {
				if err := hb.Delete(d); err != nil {
					return err
				}
			}
			removed += len(doomed)
			return nil
		})
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// historyTime returns the time part of a history key: after the
// length-prefixed kind and key.
func historyTime(k []byte) ([]byte, bool) {
	rest := k
	for range 2 {
		var ok bool
		if _, rest, ok = cutLP(rest); !ok {
			return nil, false
		}
	}
	if len(rest) < timeLen {
		return nil, false
	}
	return rest[:timeLen], true
}
