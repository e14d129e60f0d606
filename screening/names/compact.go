package names

import "hash/maphash"

// The index is built once per list load and read by every screening. Kept as
// Go structures (a string per name and word form, a slice per posting list,
// a map entry per key) it was some 450,000 heap objects for the 28,000
// sample entries, and the GC marked every one of them in every cycle, about
// once a second under load. The types here hold the same data in a few large
// allocations that have no pointers inside, so a cycle marks a handful of
// objects instead and scans none of them. (Pointers that all point into one
// string are one object to mark, but every one of them is still scanned:
// see vocab.go.)

// idLists is a list of int32 lists stored back to back in one slice.
type idLists struct {
	ids  []int32
	ends []uint32 // list i is ids[ends[i-1]:ends[i]]
}

// count is the number of ids in lists [lo, hi) together.
func (l *idLists) count(lo, hi int) int {
	if hi <= lo {
		return 0
	}
	start := uint32(0)
	if lo > 0 {
		start = l.ends[lo-1]
	}
	return int(l.ends[hi-1] - start)
}

func (l *idLists) at(i int) []int32 {
	start := uint32(0)
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.ids[start:l.ends[i]:l.ends[i]]
}

func flattenLists(ls [][]int32) idLists {
	n := 0
	for _, l := range ls {
		n += len(l)
	}
	out := idLists{ids: make([]int32, 0, n), ends: make([]uint32, len(ls))}
	for i, l := range ls {
		out.ids = append(out.ids, l...)
		out.ends[i] = uint32(len(out.ids))
	}
	return out
}

// keyedIDs maps string keys to int32 lists by a 64-bit hash of the key:
// neither the map nor the lists hold a pointer. The keys are not kept, so
// two keys of the same hash would share their lists; every id found here is
// a candidate that is scored in full afterwards, so such a collision (about
// one chance in 10^10 at a million keys) could add a candidate, never a
// match.
type keyedIDs struct {
	seed  maphash.Seed
	spans map[uint64]idSpan
	ids   []int32
}

type idSpan struct{ off, n uint32 }

func newKeyedIDs(seed maphash.Seed, m map[string][]int32) keyedIDs {
	n := 0
	for _, l := range m {
		n += len(l)
	}
	k := keyedIDs{seed: seed, spans: make(map[uint64]idSpan, len(m)), ids: make([]int32, 0, n)}
	for key, l := range m {
		h := maphash.String(seed, key)
		if old, ok := k.spans[h]; ok { // a collision: keep both lists under the hash
			l = append(append([]int32(nil), k.ids[old.off:old.off+old.n]...), l...)
		}
		k.spans[h] = idSpan{off: uint32(len(k.ids)), n: uint32(len(l))}
		k.ids = append(k.ids, l...)
	}
	return k
}

func (k *keyedIDs) get(key string) []int32 {
	s, ok := k.spans[maphash.String(k.seed, key)]
	if !ok {
		return nil
	}
	return k.ids[s.off : s.off+s.n : s.off+s.n]
}

// stringArena re-homes strings into one string, identical ones once.
type stringArena struct {
	buf []byte
	at  map[string]uint32
}

func (a *stringArena) add(s string) {
	if s == "" {
		return
	}
	if a.at == nil {
		a.at = make(map[string]uint32)
	}
	if _, ok := a.at[s]; !ok {
		a.at[s] = uint32(len(a.buf))
		a.buf = append(a.buf, s...)
	}
}
