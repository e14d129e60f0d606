package names

import (
	"slices"
	"sort"
)

// Fuzzy word lookup by deletion neighbourhoods (the SymSpell idea): a word
// is filed under itself and under every form with one letter deleted; two
// words within one substitution, insertion, deletion or adjacent
// transposition of each other share a key. Long words are also filed under
// their two-letter deletions, since they carry two slips more often
// (Khodorkovsky / Khordorovsky). Lookups are a handful of binary searches
// whatever the vocabulary size, unlike n-gram counting.
//
// Keys are 64-bit FNV-1a hashes in one sorted array, which keeps memory at
// 12 bytes per key; a hash collision only adds a candidate that the scorer
// then rejects.

// longWord is the length from which two-letter deletions are filed.
const longWord = 9

type neighbourIndex struct {
	keys []uint64
	ids  []int32
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

// fnvSkip hashes kind and w without the letters at positions i and j
// (-1 for none), so deletions need no copies of the word.
func fnvSkip(kind byte, w string, i, j int) uint64 {
	h := uint64(fnvOffset)
	h ^= uint64(kind)
	h *= fnvPrime
	for k := 0; k < len(w); k++ {
		if k == i || k == j {
			continue
		}
		h ^= uint64(w[k])
		h *= fnvPrime
	}
	return h
}

// deletionKeys calls f with the hash of w and of each of its one-letter
// deletions, and two-letter deletions when w is long.
func deletionKeys(kind byte, w string, f func(uint64)) {
	f(fnvSkip(kind, w, -1, -1))
	if len(w) < 3 {
		return
	}
	for i := 0; i < len(w); i++ {
		if i > 0 && w[i] == w[i-1] {
			continue // deleting either of two equal letters gives the same word
		}
		f(fnvSkip(kind, w, i, -1))
		if len(w) >= longWord {
			for j := i + 1; j < len(w); j++ {
				if j > i+1 && w[j] == w[j-1] {
					continue
				}
				f(fnvSkip(kind, w, i, j))
			}
		}
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
	return n
}

// find calls f with the ids filed under key.
func (n *neighbourIndex) find(key uint64, f func(int32)) {
	i := sort.Search(len(n.keys), func(i int) bool { return n.keys[i] >= key })
	for ; i < len(n.keys) && n.keys[i] == key; i++ {
		f(n.ids[i])
	}
}

// lookup calls f with the ids of words within the deletion neighbourhood of w.
func (n *neighbourIndex) lookup(kind byte, w string, f func(int32)) {
	deletionKeys(kind, w, func(k uint64) { n.find(k, f) })
}
