package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/memcache"
	"github.com/hikiai/hikiai/screening/redisstore"
)

// backend is an opened store with the cache that goes with it.
type backend struct {
	store screening.Store
	cache screening.Cache
	// locks coordinates the jobs that must run once across replicas (the
	// re-screen after a list change, the history prune). It stays on the
	// store's Redis when the cache has one of its own: a cache Redis that is
	// down must not make every replica skip a re-screen.
	locks screening.Cache
	redis redis.UniversalClient // nil on the embedded store
	close func() error
}

func storePath(cfg Config) string   { return filepath.Join(cfg.DataDir, "hikiai.db") }
func adminSocket(cfg Config) string { return filepath.Join(cfg.DataDir, "hikiai.sock") }

// openBackend opens Redis when configured, else the embedded store. lockWait is
// how long to wait for the embedded store's file lock (another process holds it
// while a server runs).
func openBackend(ctx context.Context, cfg Config, log *slog.Logger, lockWait time.Duration) (*backend, error) {
	if cfg.RedisURL != "" {
		opt, err := redisOptions("HIKIAI_REDIS_URL", cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		// The cache's writes (a rate counter on every request) need no fsync:
		// on a Redis of their own, without AOF, they skip the store's fsync
		// turn (BENCHMARKS.md).
		var cacheClient *redis.Client
		if cfg.CacheRedisURL != "" {
			copt, err := redisOptions("HIKIAI_CACHE_REDIS_URL", cfg.CacheRedisURL)
			if err != nil {
				return nil, err
			}
			cacheClient = redis.NewClient(copt)
		}
		client := redis.NewClient(opt)
		st := redisstore.New(client, redisstore.Options{})
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if aof, err := st.CheckPersistence(pctx); err != nil {
			log.Warn("could not read Redis persistence settings", slog.Any("err", err))
		} else if !aof {
			log.Warn("Redis persistence (AOF) is off: screenings and decisions may be lost on a Redis restart; set appendonly yes and appendfsync always")
		}
		storeCache := redisstore.NewCache(client)
		b := &backend{store: st, cache: storeCache, locks: storeCache, redis: client}
		closeCache := func() error { return nil }
		if cacheClient != nil {
			b.cache, closeCache = redisstore.NewCache(cacheClient), cacheClient.Close
		}
		b.close = func() error { return errors.Join(st.Close(), client.Close(), closeCache()) }
		return b, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", cfg.DataDir, err)
	}
	st, err := boltstore.Open(storePath(cfg), boltstore.Options{Timeout: lockWait})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", storePath(cfg), err)
	}
	if n := st.Replayed(); n > 0 {
		// Only a stop without Close (a crash, SIGKILL) leaves saves in the journal.
		log.Warn("the store was not closed cleanly: screenings acknowledged before the stop were recovered from its journal", slog.Int("screenings", n))
	}
	cache := memcache.New(memcache.Options{MaxEntries: cfg.CacheEntries})
	return &backend{store: st, cache: cache, locks: cache, close: st.Close}, nil
}

// redisOptions parses HIKIAI_REDIS_URL. A refused dial is tried once, not
// five times 100 ms apart (go-redis's default): with its command retries on
// top, that held every request 1.7 s while Redis was down, where order intake
// wants a quick 503 and Retry-After.
func redisOptions(env, url string) (*redis.Options, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", env, err)
	}
	opt.DialerRetries = 1
	return opt, nil
}

// adminFor gives the CLI its admin operations: on the store directly, or through
// the running server's socket when the server holds the embedded store.
func adminFor(ctx context.Context, cfg Config, log *slog.Logger) (api.Admin, func() error, error) {
	b, err := openBackend(ctx, cfg, log, 300*time.Millisecond)
	if err == nil {
		return &api.LocalAdmin{Store: b.store, Now: time.Now, Actor: "cli"}, b.close, nil
	}
	if errors.Is(err, boltstore.ErrLocked) {
		if _, serr := os.Stat(adminSocket(cfg)); serr == nil {
			return api.NewAdminClient(adminSocket(cfg)), func() error { return nil }, nil
		}
		return nil, nil, fmt.Errorf("%w (another process holds the store and no admin socket is at %s)", err, adminSocket(cfg))
	}
	return nil, nil, err
}
