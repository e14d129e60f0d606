package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/memcache"
	"github.com/hikiai/hikiai/screening/redisstore"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
)

// rateClock is a clock tests move by hand.
type rateClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rateClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *rateClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// limitedServer is a real server on a bolt store with the given cache and
// limit; replicas made with the same store and cache share one budget.
type limitedServer struct {
	t     *testing.T
	store screening.Store
	admin *LocalAdmin
}

func newLimitedStore(t *testing.T) *limitedServer {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "hikiai.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &limitedServer{t: t, store: st, admin: &LocalAdmin{Store: st, Now: time.Now, Actor: "test"}}
}

func (ls *limitedServer) replica(cache screening.Cache, perMinute int, now func() time.Time) *httptest.Server {
	srv := New(Options{Store: ls.store, Cache: cache, RateLimit: perMinute, Now: now, Log: slog.New(slog.DiscardHandler)})
	hs := httptest.NewServer(srv.Handler())
	ls.t.Cleanup(hs.Close)
	return hs
}

func (ls *limitedServer) key(role string) string {
	ls.t.Helper()
	secret, _, err := ls.admin.CreateKey(context.Background(), role, "rate test")
	if err != nil {
		ls.t.Fatal(err)
	}
	return secret
}

// get sends GET /v1/lists and returns the answer with its error code.
func getListsAs(t *testing.T, hs *httptest.Server, key string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", hs.URL+"/v1/lists", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body ErrorBody
	_ = json.Unmarshal(raw, &body)
	return resp, body.Error.Code
}

func TestRateLimitPerKey(t *testing.T) {
	clock := &rateClock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	ls := newLimitedStore(t)
	hs := ls.replica(memcache.New(memcache.Options{Now: clock.now}), 3, clock.now)
	a, b := ls.key(screening.RoleSales), ls.key(screening.RoleERP)

	for i := range 3 {
		resp, code := getListsAs(t, hs, a)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d within the limit: %d %s", i+1, resp.StatusCode, code)
		}
		if resp.Header.Get("X-RateLimit-Limit") != "3" {
			t.Errorf("X-RateLimit-Limit = %q, want 3", resp.Header.Get("X-RateLimit-Limit"))
		}
	}
	clock.add(20 * time.Second)
	resp, code := getListsAs(t, hs, a)
	if resp.StatusCode != http.StatusTooManyRequests || code != "rate_limited" {
		t.Fatalf("4th request in a minute: %d %q, want 429 rate_limited", resp.StatusCode, code)
	}
	if got := resp.Header.Get("Retry-After"); got != "40" {
		t.Errorf("Retry-After = %q, want 40 (the window started 20 s ago)", got)
	}
	if resp, _ := getListsAs(t, hs, b); resp.StatusCode != 200 {
		t.Errorf("another key is limited by the first key's use: %d", resp.StatusCode)
	}
	clock.add(41 * time.Second)
	if resp, code := getListsAs(t, hs, a); resp.StatusCode != 200 {
		t.Errorf("after the window: %d %s", resp.StatusCode, code)
	}
	// Unauthenticated requests are refused before the limiter counts them.
	if resp, code := getListsAs(t, hs, "hk_not_a_key"); resp.StatusCode != 401 {
		t.Errorf("unknown key: %d %s, want 401", resp.StatusCode, code)
	}
}

func TestRateLimitOff(t *testing.T) {
	ls := newLimitedStore(t)
	hs := ls.replica(memcache.New(memcache.Options{}), 0, time.Now)
	key := ls.key(screening.RoleSales)
	for i := range 50 {
		resp, code := getListsAs(t, hs, key)
		if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("request %d with the limit off: %d %s (X-RateLimit-Limit %q)", i, resp.StatusCode, code, resp.Header.Get("X-RateLimit-Limit"))
		}
	}
}

// brokenCache fails every call, as a Redis cache does while Redis is down.
type brokenCache struct{ screening.Cache }

func (brokenCache) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return false, 0, screening.Errorf(screening.EUNAVAILABLE, "the cache is not reachable")
}

// A cache that cannot count lets requests through (fail open): the store
// decides whether they can be served.
func TestRateLimitFailsOpen(t *testing.T) {
	ls := newLimitedStore(t)
	hs := ls.replica(brokenCache{memcache.New(memcache.Options{})}, 1, time.Now)
	key := ls.key(screening.RoleSales)
	for i := range 5 {
		if resp, code := getListsAs(t, hs, key); resp.StatusCode != 200 {
			t.Fatalf("request %d with a failing cache: %d %s, want 200", i, resp.StatusCode, code)
		}
	}
}

// With Redis, replicas count against one budget per key.
func TestRateLimitSharedInRedis(t *testing.T) {
	addr := redistest.Addr(t)
	client := redistest.NewClient(t, addr)
	prefix := redistest.Prefix(t, addr)
	ls := newLimitedStore(t)
	one := ls.replica(redisstore.NewCache(client, redisstore.CachePrefix(prefix)), 4, time.Now)
	two := ls.replica(redisstore.NewCache(client, redisstore.CachePrefix(prefix)), 4, time.Now)
	key := ls.key(screening.RoleSales)
	for i, hs := range []*httptest.Server{one, two, one, two} {
		if resp, code := getListsAs(t, hs, key); resp.StatusCode != 200 {
			t.Fatalf("request %d within the shared limit: %d %s", i+1, resp.StatusCode, code)
		}
	}
	resp, code := getListsAs(t, two, key)
	if resp.StatusCode != http.StatusTooManyRequests || code != "rate_limited" {
		t.Fatalf("5th request across replicas: %d %q, want 429 rate_limited", resp.StatusCode, code)
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After = %q, want 1..60 seconds", resp.Header.Get("Retry-After"))
	}
}
