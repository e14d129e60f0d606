package screening

import (
	"hash/maphash"
	"slices"
	"sync"

	"github.com/hikiai/hikiai/screening/names"
)

// searchCache remembers the hits of recent name searches on one ListSet.
// Order intake screens the same customers, end users and payers again and
// again, and one search costs up to a millisecond of CPU against tens of
// thousands of list entries (more with a million). A ListSet never changes,
// so its hits stay right for as long as it is in force; a reload builds a
// new set with an empty cache, and the old one goes with the old set.
//
// It is bounded: 32 shards of at most 2,048 searches; a full shard is
// emptied and refilled, which costs one search per entry again and needs no
// bookkeeping on the hot path.
type searchCache struct {
	seed   maphash.Seed
	shards [searchShards]searchShard
}

const (
	searchShards       = 32
	searchShardEntries = 2048
	// searchMaxQuery: longer queries are searched every time (names are at
	// most 300 characters; this keeps hostile input from filling memory).
	searchMaxQuery = 1024
)

type searchKey struct {
	query string
	opt   names.SearchOptions
}

type searchShard struct {
	mu sync.Mutex
	m  map[searchKey][]ListHit
}

func newSearchCache() *searchCache {
	return &searchCache{seed: maphash.MakeSeed()}
}

func (c *searchCache) shard(query string) *searchShard {
	return &c.shards[maphash.String(c.seed, query)%searchShards]
}

// get returns a copy of the cached hits (callers may reorder or append to the
// slice; the hits themselves are shared and must be treated as read-only).
func (c *searchCache) get(query string, opt names.SearchOptions) ([]ListHit, bool) {
	if c == nil || len(query) > searchMaxQuery {
		return nil, false
	}
	sh := c.shard(query)
	sh.mu.Lock()
	hits, ok := sh.m[searchKey{query, opt}]
	sh.mu.Unlock()
	if !ok {
		return nil, false
	}
	return slices.Clone(hits), true
}

func (c *searchCache) put(query string, opt names.SearchOptions, hits []ListHit) {
	if c == nil || len(query) > searchMaxQuery {
		return
	}
	hits = slices.Clone(hits)
	sh := c.shard(query)
	sh.mu.Lock()
	if sh.m == nil || len(sh.m) >= searchShardEntries {
		sh.m = make(map[searchKey][]ListHit, searchShardEntries)
	}
	sh.m[searchKey{query, opt}] = hits
	sh.mu.Unlock()
}
