package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/redis/go-redis/v9"
)

// Cache is a screening.Cache on Redis, shared by every replica: website
// check results, job locks (SET NX PX) and fixed-window rate counters.
type Cache struct {
	c      redis.UniversalClient
	prefix string
	// pipe carries Get and Allow, which every screening calls, in shared
	// pipelines (scriptbatch.go).
	pipe *scriptPipe
}

var _ screening.Cache = (*Cache)(nil)

// CacheOption changes how NewCache builds a Cache.
type CacheOption func(*Cache)

// CachePrefix puts p in front of every cache key, so that several caches
// (tests, tenants) share one server.
func CachePrefix(p string) CacheOption { return func(c *Cache) { c.prefix = p } }

// NewCache returns a cache on client. Each cache key is its own Redis key
// (every operation touches one key), so no hash tag is needed in a cluster.
func NewCache(client redis.UniversalClient, opts ...CacheOption) *Cache {
	c := &Cache{c: client, pipe: newScriptPipe(client, nil)}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *Cache) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if unreachable(err) {
		return fmt.Errorf("redisstore: cache %s: %w: %w", op, screening.Errorf(screening.EUNAVAILABLE, "the cache is not reachable"), err)
	}
	return fmt.Errorf("redisstore: cache %s: %w", op, err)
}

// ms converts a positive duration to whole milliseconds, at least one (PX
// takes milliseconds, and 0 would be an error).
func ms(d time.Duration) int64 { return max(1, d.Milliseconds()) }

func positive(what string, d time.Duration) error {
	if d <= 0 {
		return screening.Errorf(screening.EINVALID, "%s must be positive, got %v", what, d)
	}
	return nil
}

// Get returns a value and whether it was there (and not expired).
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var cmd *redis.StringCmd
	err := c.pipe.do(ctx, func(p redis.Pipeliner) { cmd = p.Get(ctx, c.prefix+"cache:"+key) })
	var v []byte
	if err == nil {
		v, err = cmd.Bytes()
	}
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, c.fail("get", err)
	}
	return v, true, nil
}

// Set stores a value for ttl.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := positive("ttl", ttl); err != nil {
		return err
	}
	return c.fail("set", c.c.Set(ctx, c.prefix+"cache:"+key, value, time.Duration(ms(ttl))*time.Millisecond).Err())
}

// releaseScript deletes a lock only if it still holds the caller's token:
// after the lease ran out, the key may be another holder's.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// releaseTimeout bounds a release; it has no context of its own.
const releaseTimeout = 5 * time.Second

// Lock takes a lease on key for ttl with SET NX PX and a random token.
func (c *Cache) Lock(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	if err := positive("ttl", ttl); err != nil {
		return nil, false, err
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, false, fmt.Errorf("redisstore: lock token: %w", err)
	}
	token, k := hex.EncodeToString(b[:]), c.prefix+"lock:"+key
	ok, err := c.c.SetNX(ctx, k, token, time.Duration(ms(ttl))*time.Millisecond).Result()
	if err != nil {
		return nil, false, c.fail("lock", err)
	}
	if !ok {
		return nil, false, nil
	}
	release := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		// A failed release is harmless: the lease runs out by itself.
		_ = releaseScript.Run(ctx, c.c, []string{k}, token).Err()
	}
	return release, true, nil
}

// allowScript counts one request in a fixed window that starts with the
// window's first request. The expiry is set again if it is missing (a
// crash between INCR and PEXPIRE in an older version would leave a counter
// that never resets).
var allowScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`)

// Allow counts one request against key within a fixed window.
func (c *Cache) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if err := positive("window", window); err != nil {
		return false, 0, err
	}
	if limit <= 0 {
		return false, 0, screening.Errorf(screening.EINVALID, "limit must be positive, got %d", limit)
	}
	replies, err := c.pipe.run(ctx, []scriptCall{{allowScript, []string{c.prefix + "rate:" + key}, []any{ms(window)}}}, nil)
	if err != nil {
		return false, 0, c.fail("allow", err)
	}
	res, _ := replies[0].([]any)
	var n, ttl int64
	ok := len(res) == 2
	if ok {
		n, ok = res[0].(int64)
	}
	if ok {
		ttl, ok = res[1].(int64)
	}
	if !ok {
		return false, 0, fmt.Errorf("redisstore: cache allow: unexpected reply %v", replies[0])
	}
	if n <= int64(limit) {
		return true, 0, nil
	}
	return false, time.Duration(max(ttl, 1)) * time.Millisecond, nil
}
