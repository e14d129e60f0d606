package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening/redisstore/redistest"
	"github.com/redis/go-redis/v9"
)

func TestRedisOptions(t *testing.T) {
	tests := []struct {
		name, url   string
		wantErr     string
		wantDB      int
		wantTimeout time.Duration
	}{
		{name: "plain", url: "redis://127.0.0.1:6379/0"},
		{name: "database and dial timeout kept", url: "redis://127.0.0.1:6379/3?dial_timeout=2s", wantDB: 3, wantTimeout: 2 * time.Second},
		{name: "not a redis URL", url: "http://127.0.0.1:6379", wantErr: "HIKIAI_REDIS_URL"},
		{name: "bad database", url: "redis://127.0.0.1:6379/x", wantErr: "HIKIAI_REDIS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt, err := redisOptions("HIKIAI_REDIS_URL", tt.url)
			if !errorAsWanted(t, err, tt.wantErr) {
				return
			}
			if opt.DialerRetries != 1 {
				t.Errorf("DialerRetries %d, want 1", opt.DialerRetries)
			}
			if opt.DB != tt.wantDB {
				t.Errorf("DB %d, want %d", opt.DB, tt.wantDB)
			}
			if tt.wantTimeout != 0 && opt.DialTimeout != tt.wantTimeout {
				t.Errorf("DialTimeout %s, want %s", opt.DialTimeout, tt.wantTimeout)
			}
		})
	}
}

// TestRedisOptionsDialOnce: against a port where nothing listens, a command
// without retries dials once (go-redis alone would dial five times, 100 ms
// apart, for each try of the command).
func TestRedisOptionsDialOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	opt, err := redisOptions("HIKIAI_REDIS_URL", "redis://"+addr+"/0?max_retries=-1")
	if err != nil {
		t.Fatal(err)
	}
	var dials atomic.Int32
	opt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	client := redis.NewClient(opt)
	defer client.Close()
	if err := client.Ping(t.Context()).Err(); err == nil {
		t.Fatal("ping succeeded with nothing listening")
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d dials for one command, want 1", n)
	}
}

func TestConfigCacheRedisURL(t *testing.T) {
	tests := []struct {
		name, store, cache string
		wantErr            string // the variable the error must name
		wantCache          string
	}{
		{name: "none", wantCache: ""},
		{name: "store only", store: "redis://127.0.0.1:6379/0", wantCache: ""},
		{name: "both", store: "redis://127.0.0.1:6379/0", cache: "redis://127.0.0.1:6380/0", wantCache: "redis://127.0.0.1:6380/0"},
		{name: "cache without store", cache: "redis://127.0.0.1:6380/0", wantErr: "HIKIAI_CACHE_REDIS_URL"},
		{name: "cache not a redis URL", store: "redis://127.0.0.1:6379/0", cache: "http://127.0.0.1:6380", wantErr: "HIKIAI_CACHE_REDIS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HIKIAI_REDIS_URL": tt.store, "HIKIAI_CACHE_REDIS_URL": tt.cache}
			cfg, err := LoadConfig(func(k string) string { return env[k] })
			if !errorAsWanted(t, err, tt.wantErr) {
				return
			}
			if cfg.CacheRedisURL != tt.wantCache {
				t.Errorf("CacheRedisURL %q, want %q", cfg.CacheRedisURL, tt.wantCache)
			}
		})
	}
}

// TestCacheOnItsOwnRedis: with HIKIAI_CACHE_REDIS_URL the rate counters (and
// the rest of the cache) go to that Redis, and the store's Redis gets none;
// the job locks stay on the store's Redis.
func TestCacheOnItsOwnRedis(t *testing.T) {
	addr := redistest.Addr(t)
	const storeDB, cacheDB = 12, 11
	ctx := context.Background()
	raw := map[int]*redis.Client{}
	for _, db := range []int{storeDB, cacheDB} {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
		if n, err := c.DBSize(ctx).Result(); err != nil || n != 0 {
			c.Close()
			t.Fatalf("redis %s database %d: %d keys, %v: the test needs it empty", addr, db, n, err)
		}
		t.Cleanup(func() { c.FlushDB(context.Background()); c.Close() })
		raw[db] = c
	}
	cfg, err := LoadConfig(func(k string) string {
		return map[string]string{
			"HIKIAI_REDIS_URL":       fmt.Sprintf("redis://%s/%d", addr, storeDB),
			"HIKIAI_CACHE_REDIS_URL": fmt.Sprintf("redis://%s/%d", addr, cacheDB),
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := openBackend(ctx, cfg, slog.New(slog.DiscardHandler), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := b.cache.Allow(ctx, "apikey:key_cache_test", 10, time.Minute); err != nil || !ok {
		t.Fatalf("Allow: %v, %v", ok, err)
	}
	if err := b.store.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	// The locks of once-per-change jobs stay with the store: a cache Redis
	// that is down must not make every replica skip a re-screen.
	release, ok, err := b.locks.Lock(ctx, "rescreen:test", time.Minute)
	if err != nil || !ok {
		t.Fatalf("Lock: %v, %v", ok, err)
	}
	if keys, _ := raw[storeDB].Keys(ctx, "*rescreen:test*").Result(); len(keys) != 1 {
		t.Errorf("the re-screen lock is not on the store's Redis: %v", keys)
	}
	release()
	if n, _ := raw[cacheDB].DBSize(ctx).Result(); n != 1 {
		t.Errorf("the cache's Redis holds %d keys, want the one rate counter", n)
	}
	if keys, _ := raw[storeDB].Keys(ctx, "*rate*").Result(); len(keys) != 0 {
		t.Errorf("the store's Redis holds rate counters %v", keys)
	}
	if err := b.close(); err != nil {
		t.Fatal(err)
	}
	if err := b.cache.Set(ctx, "after", []byte("x"), time.Minute); err == nil {
		t.Error("the cache's client still works after close")
	}
}

// errorAsWanted fails the test unless err names want ("" wants no error), and
// says whether the test goes on to check the result.
func errorAsWanted(t *testing.T, err error, want string) bool {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatal(err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("err %v, want one naming %s", err, want)
	}
	return want == ""
}

// The whole-number settings take their range and name the variable outside it.
func TestConfigWholeNumbers(t *testing.T) {
	tests := []struct {
		name, value string
		wantErr     bool
		got         func(Config) int
		want        int
	}{
		{"HIKIAI_RELOAD_CPU", "", false, func(c Config) int { return c.ReloadCPU }, 25},
		{"HIKIAI_RELOAD_CPU", "100", false, func(c Config) int { return c.ReloadCPU }, 100},
		{"HIKIAI_RELOAD_CPU", "0", true, nil, 0},
		{"HIKIAI_RELOAD_CPU", "25%", true, nil, 0},
		{"HIKIAI_RATE_LIMIT", "0", false, func(c Config) int { return c.RateLimit }, 0},
		{"HIKIAI_RATE_LIMIT", "-1", true, nil, 0},
		{"HIKIAI_CACHE_ENTRIES", "99", true, nil, 0},
		{"HIKIAI_CACHE_ENTRIES", "5000", false, func(c Config) int { return c.CacheEntries }, 5000},
	}
	for _, tt := range tests {
		cfg, err := LoadConfig(func(k string) string {
			if k == tt.name {
				return tt.value
			}
			return ""
		})
		switch {
		case tt.wantErr && (err == nil || !strings.Contains(err.Error(), tt.name)):
			t.Errorf("%s=%q: err %v, want one naming the variable", tt.name, tt.value, err)
		case !tt.wantErr && err != nil:
			t.Errorf("%s=%q: %v", tt.name, tt.value, err)
		case !tt.wantErr && tt.got(cfg) != tt.want:
			t.Errorf("%s=%q: %d, want %d", tt.name, tt.value, tt.got(cfg), tt.want)
		}
	}
}
