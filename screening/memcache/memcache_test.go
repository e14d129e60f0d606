package memcache_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/memcache"
	"github.com/hikiai/hikiai/screening/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunCache(t, func(*testing.T) screening.Cache { return memcache.New(memcache.Options{}) })
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestLRUBound(t *testing.T) {
	c := memcache.New(memcache.Options{MaxEntries: 3})
	ctx := t.Context()
	for _, k := range []string{"a", "b", "c"} {
		if err := c.Set(ctx, k, []byte(k), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := c.Get(ctx, "a"); !ok { // a is now the most recently used
		t.Fatal("a missing")
	}
	if err := c.Set(ctx, "d", []byte("d"), time.Hour); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if _, ok, _ := c.Get(ctx, k); ok != want {
			t.Errorf("after evicting one of 4 with room for 3: %s present = %v, want %v", k, ok, want)
		}
	}
	if n := c.Len(); n != 3 {
		t.Errorf("Len = %d, want 3", n)
	}
}

func TestClock(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	c := memcache.New(memcache.Options{Now: clk.Now})
	ctx := t.Context()
	if err := c.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	clk.Add(59 * time.Second)
	if _, ok, _ := c.Get(ctx, "k"); !ok {
		t.Error("value gone before its ttl")
	}
	clk.Add(time.Second)
	if _, ok, _ := c.Get(ctx, "k"); ok {
		t.Error("value still there at its ttl")
	}

	for range 5 {
		if ok, _, _ := c.Allow(ctx, "r", 5, time.Minute); !ok {
			t.Fatal("refused within the limit")
		}
	}
	clk.Add(20 * time.Second)
	ok, retry, _ := c.Allow(ctx, "r", 5, time.Minute)
	if ok || retry != 40*time.Second {
		t.Errorf("6th request 20 s into a 1 min window = %v, retry %v; want refused, 40s", ok, retry)
	}
	clk.Add(40 * time.Second)
	if ok, _, _ := c.Allow(ctx, "r", 5, time.Minute); !ok {
		t.Error("refused in a new window")
	}
}

// TestSweep checks locks and counters seen once do not accumulate.
func TestSweep(t *testing.T) {
	clk := &clock{now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	c := memcache.New(memcache.Options{Now: clk.Now})
	ctx := t.Context()
	for i := range 5000 {
		if _, _, err := c.Allow(ctx, fmt.Sprintf("ip-%d", i), 10, time.Second); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			clk.Add(time.Second)
		}
	}
	// Lock on an expired key still works, and Allow keeps working after sweeps.
	if _, ok, _ := c.Lock(ctx, "job", time.Minute); !ok {
		t.Error("lock refused")
	}
	if got := memcache.LeasesAndWindows(c); got > 2048 {
		t.Errorf("%d locks and counters kept, want the expired ones swept", got)
	}
}
