package phone

import "sync"

// Cache remembers recent E164 answers. Parsing with libphonenumber costs
// tens of microseconds, and the same customers' numbers come back in
// inquiry after inquiry. It keeps two generations of at most size entries
// each: when the newer fills, the older is dropped, so memory stays bounded
// and numbers in use stay cached. Safe for concurrent use.
type Cache struct {
	size int
	mu   sync.Mutex
	cur  map[cacheKey]cached
	prev map[cacheKey]cached
}

type cacheKey struct{ raw, country string }

type cached struct {
	e164 string
	ok   bool
}

// NewCache returns a cache of about 2*size entries (size at least 1).
func NewCache(size int) *Cache {
	size = max(size, 1)
	return &Cache{size: size, cur: make(map[cacheKey]cached, size)}
}

// E164 is the package's E164, answered from the cache when it can be.
func (c *Cache) E164(raw, country string) (string, bool) {
	if len(raw) > 64 {
		return E164(raw, country) // long input fails early; do not let it fill the cache
	}
	k := cacheKey{raw, country}
	c.mu.Lock()
	v, hit := c.cur[k]
	if !hit {
		if v, hit = c.prev[k]; hit {
			c.putLocked(k, v)
		}
	}
	c.mu.Unlock()
	if hit {
		return v.e164, v.ok
	}
	v.e164, v.ok = E164(raw, country)
	c.mu.Lock()
	c.putLocked(k, v)
	c.mu.Unlock()
	return v.e164, v.ok
}

func (c *Cache) putLocked(k cacheKey, v cached) {
	if len(c.cur) >= c.size {
		c.prev, c.cur = c.cur, make(map[cacheKey]cached, c.size)
	}
	c.cur[k] = v
}
