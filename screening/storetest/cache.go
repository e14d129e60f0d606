package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// RunCache runs the conformance suite for screening.Cache. newCache returns an
// empty cache no other test shares. The cache runs on the real clock, so the
// suite waits a few hundred milliseconds for expiries.
func RunCache(t *testing.T, newCache func(t *testing.T) screening.Cache) {
	// ttl is short enough to keep the suite quick and long enough that a loaded
	// test machine does not expire a value before the next line reads it.
	const ttl = 300 * time.Millisecond
	wait := func() { time.Sleep(ttl + 200*time.Millisecond) }

	t.Run("GetSet", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		ctx := ctxFor(t)
		if v, ok, err := c.Get(ctx, "missing"); err != nil || ok || v != nil {
			t.Errorf("Get(missing) = %q, %v, %v", v, ok, err)
		}
		val := []byte("site answers")
		if err := c.Set(ctx, "web:example.cn", val, time.Minute); err != nil {
			t.Fatalf("Set: %v", err)
		}
		val[0] = 'X' // the cache keeps its own copy
		v, ok, err := c.Get(ctx, "web:example.cn")
		if err != nil || !ok || string(v) != "site answers" {
			t.Errorf("Get = %q, %v, %v", v, ok, err)
		}
		if err := c.Set(ctx, "web:example.cn", []byte("replaced"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := c.Get(ctx, "web:example.cn"); string(v) != "replaced" {
			t.Errorf("Get after overwrite = %q", v)
		}
		if err := c.Set(ctx, "empty", []byte{}, time.Minute); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := c.Get(ctx, "empty"); err != nil || !ok || len(v) != 0 {
			t.Errorf("Get(empty value) = %q, %v, %v; want present and empty", v, ok, err)
		}
		for _, bad := range []time.Duration{0, -time.Second} {
			if err := c.Set(ctx, "k", []byte("v"), bad); screening.ErrorCode(err) != screening.EINVALID {
				t.Errorf("Set with ttl %v: %v, want EINVALID", bad, err)
			}
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		ctx := ctxFor(t)
		if err := c.Set(ctx, "short", []byte("v"), ttl); err != nil {
			t.Fatal(err)
		}
		if err := c.Set(ctx, "long", []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := c.Get(ctx, "short"); !ok {
			t.Fatal("value gone before its ttl")
		}
		wait()
		if v, ok, err := c.Get(ctx, "short"); err != nil || ok {
			t.Errorf("Get after ttl = %q, %v, %v; want gone", v, ok, err)
		}
		if _, ok, _ := c.Get(ctx, "long"); !ok {
			t.Error("value with a long ttl expired")
		}
	})

	t.Run("Lock", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		ctx := ctxFor(t)
		release, ok, err := c.Lock(ctx, "job:refresh", time.Minute)
		if err != nil || !ok || release == nil {
			t.Fatalf("first Lock = %v, %v", ok, err)
		}
		if _, ok, err := c.Lock(ctx, "job:refresh", time.Minute); err != nil || ok {
			t.Errorf("second Lock while held = %v, %v; want refused", ok, err)
		}
		if _, ok, _ := c.Lock(ctx, "job:other", time.Minute); !ok {
			t.Error("a lock on another key was refused")
		}
		release()
		release2, ok, err := c.Lock(ctx, "job:refresh", time.Minute)
		if err != nil || !ok {
			t.Fatalf("Lock after release = %v, %v", ok, err)
		}
		release2()
		if _, _, err := c.Lock(ctx, "job:bad", 0); screening.ErrorCode(err) != screening.EINVALID {
			t.Errorf("Lock with ttl 0: %v, want EINVALID", err)
		}
	})

	t.Run("LockExpiryAndStaleRelease", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		ctx := ctxFor(t)
		releaseA, ok, err := c.Lock(ctx, "job", ttl)
		if err != nil || !ok {
			t.Fatalf("Lock = %v, %v", ok, err)
		}
		wait()
		releaseB, ok, err := c.Lock(ctx, "job", time.Minute)
		if err != nil || !ok {
			t.Fatalf("Lock after the lease ran out = %v, %v", ok, err)
		}
		releaseA() // A's lease is over: its release must not free B's
		if _, ok, _ := c.Lock(ctx, "job", time.Minute); ok {
			t.Error("a stale release freed another holder's lock")
		}
		releaseB()
		releaseB() // twice is harmless
		if _, ok, _ := c.Lock(ctx, "job", time.Minute); !ok {
			t.Error("lock not free after its holder released it")
		}
	})

	t.Run("LockExclusive", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		var holders atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, ok, err := c.Lock(ctxFor(t), "contended", time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					holders.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		if n := holders.Load(); n != 1 {
			t.Errorf("%d of 20 concurrent Lock calls got the lock, want exactly 1", n)
		}
	})

	t.Run("Allow", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		ctx := ctxFor(t)
		const window = time.Minute
		for i := range 3 {
			ok, retry, err := c.Allow(ctx, "rate:key_1", 3, window)
			if err != nil || !ok || retry != 0 {
				t.Errorf("request %d = %v, %v, %v; want allowed", i+1, ok, retry, err)
			}
		}
		ok, retry, err := c.Allow(ctx, "rate:key_1", 3, window)
		if err != nil || ok {
			t.Errorf("4th request of 3 = %v, %v", ok, err)
		}
		if retry <= 0 || retry > window {
			t.Errorf("retryAfter %v, want within (0, %v]", retry, window)
		}
		if ok, _, _ := c.Allow(ctx, "rate:key_2", 3, window); !ok {
			t.Error("another key shares the counter")
		}
		if _, _, err := c.Allow(ctx, "rate:bad", 3, 0); screening.ErrorCode(err) != screening.EINVALID {
			t.Errorf("Allow with window 0: %v, want EINVALID", err)
		}
	})

	t.Run("AllowWindowEnds", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		ctx := ctxFor(t)
		for range 2 {
			if ok, _, err := c.Allow(ctx, "rate", 2, ttl); err != nil || !ok {
				t.Fatalf("within limit: %v, %v", ok, err)
			}
		}
		ok, retry, _ := c.Allow(ctx, "rate", 2, ttl)
		if ok || retry > ttl {
			t.Errorf("over limit = %v, retry %v", ok, retry)
		}
		wait()
		if ok, _, err := c.Allow(ctx, "rate", 2, ttl); err != nil || !ok {
			t.Errorf("after the window = %v, %v; want allowed again", ok, err)
		}
	})

	t.Run("AllowConcurrent", func(t *testing.T) {
		t.Parallel()
		c := newCache(t)
		var allowed atomic.Int32
		var wg sync.WaitGroup
		for g := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					ok, _, err := c.Allow(ctxFor(t), "rate:shared", 17, time.Minute)
					if err != nil {
						t.Error(fmt.Errorf("goroutine %d: %w", g, err))
						return
					}
					if ok {
						allowed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if n := allowed.Load(); n != 17 {
			t.Errorf("%d of 50 concurrent requests allowed with limit 17", n)
		}
	})
}
