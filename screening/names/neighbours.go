package names

import "slices"

// Fuzzy word lookup by deletion neighbourhoods (the SymSpell idea): a word
// is filed under itself and under every form with one letter deleted; two
// words within one substitution, insertion, deletion or adjacent
// transposition of each other share a key. The Latin and the phonetic form
// are both filed, so a slip plus a transliteration difference is found too;
// words further apart are found through their consonant skeleton. Lookups
// are a few dozen probes whatever the vocabulary size, unlike n-gram
// counting.
//
// Keys are 64-bit FNV-1a hashes in one sorted array (12 bytes per key) with
// a directory on their top 16 bits, so a probe is a short binary search in
// one bucket; a hash collision only adds a candidate that the scorer then
// rejects.

const dirBits = 16

type neighbourIndex struct {
	keys []uint64
	ids  []int32
	dir  []uint32 // dir[b] is the first key whose top bits are >= b; len 1<<dirBits + 1
}

type keyID struct {
	key uint64
	id  int32
}

// neighbourBuilder collects keys before sorting.
type neighbourBuilder struct{ pairs []keyID }

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvSkip hashes kind and w without the letter at position i (-1 for
// none), so deletions need no copies of the word.
func fnvSkip(kind byte, w string, i int) uint64 {
	h := uint64(fnvOffset)
	h ^= uint64(kind)
	h *= fnvPrime
	for k := 0; k < len(w); k++ {
		if k == i {
			continue
		}
		h ^= uint64(w[k])
		h *= fnvPrime
	}
	return h
}

// deletionKeys calls f with the hash of w and of each of its one-letter
// deletions.
func deletionKeys(kind byte, w string, f func(uint64)) {
	f(fnvSkip(kind, w, -1))
	if len(w) < 3 {
		return
	}
	for i := 0; i < len(w); i++ {
		if i > 0 && w[i] == w[i-1] {
			continue // deleting either of two equal letters gives the same word
		}
		f(fnvSkip(kind, w, i))
	}
}

func (b *neighbourBuilder) add(kind byte, w string, id int32) {
	deletionKeys(kind, w, func(k uint64) { b.pairs = append(b.pairs, keyID{k, id}) })
}

func (b *neighbourBuilder) build() neighbourIndex {
	slices.SortFunc(b.pairs, func(x, y keyID) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		return int(x.id - y.id)
	})
	n := neighbourIndex{keys: make([]uint64, 0, len(b.pairs)), ids: make([]int32, 0, len(b.pairs))}
	for i, p := range b.pairs {
		if i > 0 && p == b.pairs[i-1] {
			continue
		}
		n.keys = append(n.keys, p.key)
		n.ids = append(n.ids, p.id)
	}
	b.pairs = nil
	n.dir = make([]uint32, 1<<dirBits+1)
	k := 0
	for bucket := 0; bucket <= 1<<dirBits; bucket++ {
		for k < len(n.keys) && int(n.keys[k]>>(64-dirBits)) < bucket {
			k++
		}
		n.dir[bucket] = uint32(k)
	}
	return n
}

// find calls f with the ids filed under key.
func (n *neighbourIndex) find(key uint64, f func(int32)) {
	if len(n.dir) == 0 {
		return
	}
	bucket := key >> (64 - dirBits)
	lo, hi := int(n.dir[bucket]), int(n.dir[bucket+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if n.keys[m] < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for i := lo; i < len(n.keys) && n.keys[i] == key; i++ {
		f(n.ids[i])
	}
}

// lookup calls f with the ids of words within the deletion neighbourhood of w.
func (n *neighbourIndex) lookup(kind byte, w string, f func(int32)) {
	deletionKeys(kind, w, func(k uint64) { n.find(k, f) })
}
