// Package memcache is the in-process screening.Cache used when no Redis is
// configured: a size-bounded LRU of values with their expiry, plus locks and
// rate counters that live as long as their lease or window. One process
// only: replicas need the Redis cache to share locks and counters.
package memcache

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// DefaultMaxEntries bounds the values kept when Options.MaxEntries is 0.
const DefaultMaxEntries = 10000

// Options tune New. The zero value is fine.
type Options struct {
	// MaxEntries bounds the number of values; the least recently used go
	// first. Locks and rate counters are not counted: evicting a held lock
	// would hand it to a second holder.
	MaxEntries int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Cache is safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	max   int
	now   func() time.Time
	order *list.List // of *entry, most recently used first
	items map[string]*list.Element

	locks     map[string]lease
	windows   map[string]window
	nextToken uint64
	sweepAt   int // sweep expired locks and windows when they outnumber this
}

type entry struct {
	key     string
	value   []byte
	expires time.Time
}

type lease struct {
	token   uint64
	expires time.Time
}

type window struct {
	count int
	ends  time.Time
}

var _ screening.Cache = (*Cache)(nil)

// minSweep is the smallest number of locks and windows worth a sweep.
const minSweep = 1024

// New returns an empty cache.
func New(opts Options) *Cache {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Cache{
		max: opts.MaxEntries, now: opts.Now, order: list.New(), items: map[string]*list.Element{},
		locks: map[string]lease{}, windows: map[string]window{}, sweepAt: minSweep,
	}
}

func positive(what string, d time.Duration) error {
	if d <= 0 {
		return screening.Errorf(screening.EINVALID, "%s must be positive, got %v", what, d)
	}
	return nil
}

// Get returns the value and whether it was there and not expired. The bytes
// are the cache's own (Set stores a copy and nothing changes it after), not a
// copy: the website check reads its entry, up to 16 KB, on every screening.
// The caller must not change them.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*entry)
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return nil, false, nil
	}
	c.order.MoveToFront(el)
	return e.value, true, nil
}

// Set stores a copy of value for ttl, evicting the least recently used
// values beyond MaxEntries.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := positive("ttl", ttl); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	v := append([]byte{}, value...)
	c.mu.Lock()
	defer c.mu.Unlock()
	expires := c.now().Add(ttl)
	if el, ok := c.items[key]; ok {
		e := el.Value.(*entry)
		e.value, e.expires = v, expires
		c.order.MoveToFront(el)
		return nil
	}
	c.items[key] = c.order.PushFront(&entry{key: key, value: v, expires: expires})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*entry).key)
	}
	return nil
}

// Len is the number of values held (expired ones included until touched or
// evicted).
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Lock takes a lease on key for ttl. release gives it back only while the
// lease is still this caller's.
func (c *Cache) Lock(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	if err := positive("ttl", ttl); err != nil {
		return nil, false, err
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if l, held := c.locks[key]; held && now.Before(l.expires) {
		return nil, false, nil
	}
	c.sweep(now)
	c.nextToken++
	token := c.nextToken
	c.locks[key] = lease{token: token, expires: now.Add(ttl)}
	release := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if l, held := c.locks[key]; held && l.token == token {
			delete(c.locks, key)
		}
	}
	return release, true, nil
}

// Allow counts one request against key in a fixed window that starts with
// the window's first request.
func (c *Cache) Allow(ctx context.Context, key string, limit int, win time.Duration) (bool, time.Duration, error) {
	if err := positive("window", win); err != nil {
		return false, 0, err
	}
	if limit <= 0 {
		return false, 0, screening.Errorf(screening.EINVALID, "limit must be positive, got %d", limit)
	}
	if err := ctx.Err(); err != nil {
		return false, 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	w, ok := c.windows[key]
	if !ok || !now.Before(w.ends) {
		c.sweep(now)
		w = window{ends: now.Add(win)}
	}
	w.count++
	c.windows[key] = w
	if w.count <= limit {
		return true, 0, nil
	}
	return false, w.ends.Sub(now), nil
}

// sweep drops expired locks and windows once there are many, so that keys
// seen once (a rate counter per client address) do not pile up. The bound
// doubles with the live count, which keeps the cost per call constant.
func (c *Cache) sweep(now time.Time) {
	if len(c.locks)+len(c.windows) < c.sweepAt {
		return
	}
	for k, l := range c.locks {
		if !now.Before(l.expires) {
			delete(c.locks, k)
		}
	}
	for k, w := range c.windows {
		if !now.Before(w.ends) {
			delete(c.windows, k)
		}
	}
	c.sweepAt = max(minSweep, 2*(len(c.locks)+len(c.windows)))
}
