package boltstore

import "unsafe"

// recordCache keeps the encoded log records of a stripe's newest committed
// history entries, so that look-ups (which read newest first) seldom descend
// bbolt's tree for them: at 1,000 screenings/s those descents were 13 % of
// the server's CPU.
//
// It holds no pointers the garbage collector has to follow: the records sit
// in two byte slices (no pointers inside) and the maps hold offsets, not
// slices. Kept decoded instead, 100,000 entries made every GC mark take
// 90-260 ms (BENCHMARKS.md).
//
// New records go into cur. When cur is full, it becomes prev and cur starts
// afresh: the oldest half is dropped at once, which is simpler than a ring
// and costs a half-full cache at worst.
//
// Bytes once written into a slice are never written again (a full cur is
// dropped, not reused), so get hands out strings that point into the slice
// instead of copies: a screening reads dozens of records, and the copies were
// 7 % of the server's allocations at 1,000 screenings/s. A dropped slice lives
// on until the last entry decoded from it is gone.
type recordCache struct {
	half     int // bytes per slice
	cur      []byte
	prev     []byte
	curSpan  map[uint64]recordSpan
	prevSpan map[uint64]recordSpan
}

type recordSpan struct{ off, n uint32 }

func newRecordCache(half int) recordCache {
	return recordCache{half: half, curSpan: map[uint64]recordSpan{}, prevSpan: map[uint64]recordSpan{}}
}

// put keeps the record of seq. A record larger than half the cache is not
// kept (the log has it).
func (c *recordCache) put(seq uint64, data []byte) {
	if len(data) > c.half {
		return
	}
	if len(c.cur)+len(data) > c.half {
		c.prev, c.cur = c.cur, nil
		c.prevSpan, c.curSpan = c.curSpan, c.prevSpan
		clear(c.curSpan)
	}
	if c.cur == nil {
		c.cur = make([]byte, 0, c.half) // lazily: most stripes of a small store stay empty
	}
	c.curSpan[seq] = recordSpan{uint32(len(c.cur)), uint32(len(data))}
	c.cur = append(c.cur, data...)
}

// get returns the record of seq, if it is kept. The string shares the
// cache's bytes, which are never changed (see the type).
func (c *recordCache) get(seq uint64) (string, bool) {
	if s, ok := c.curSpan[seq]; ok {
		return sharedString(c.cur, s), true
	}
	if s, ok := c.prevSpan[seq]; ok {
		return sharedString(c.prev, s), true
	}
	return "", false
}

func sharedString(b []byte, s recordSpan) string {
	if s.n == 0 {
		return ""
	}
	return unsafe.String(&b[s.off], int(s.n))
}

// forget drops the record of seq (pruned or forgotten).
func (c *recordCache) forget(seq uint64) {
	delete(c.curSpan, seq)
	delete(c.prevSpan, seq)
}

func (c *recordCache) len() int { return len(c.curSpan) + len(c.prevSpan) }
