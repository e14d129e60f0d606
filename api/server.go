// Package api is Hikiai's HTTP face: gin routes (all listed in routes.go), auth,
// JSON errors, and the web pages. It turns requests into calls on the screening
// engine and store and never decides anything itself.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/memcache"
)

// Options wires a Server.
type Options struct {
	Engine *screening.Engine
	Store  screening.Store
	// Lists are the loaded denied-party lists (search, /v1/lists, web type-ahead).
	Lists *screening.Lists
	// Cache holds the web pages' sessions; pass the shared (Redis) cache when
	// replicas serve the pages. Nil: an in-process cache.
	Cache screening.Cache
	Log   *slog.Logger
	Now   func() time.Time
	// Ready adds checks to /readyz beyond the store's Ping (lists loaded, ...).
	Ready func(ctx context.Context) error
	// KeyCacheTTL bounds how long a revoked key may still be accepted by this
	// process (default 5 s).
	KeyCacheTTL time.Duration
	// RateLimit is how many /v1 requests one API key may make per minute,
	// counted in Cache (shared by replicas when it is Redis). 0: no limit.
	RateLimit int
}

// Server serves the HTTP API.
type Server struct {
	engine  *screening.Engine
	store   screening.Store
	lists   *screening.Lists
	cache   screening.Cache
	log     *slog.Logger
	now     func() time.Time
	ready   func(ctx context.Context) error
	keys    *keyCache
	metrics *Metrics
	limiter rateLimiter
	answers answerBuffers
}

// New builds a Server.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Lists == nil {
		o.Lists = &screening.Lists{}
	}
	if o.Cache == nil {
		o.Cache = memcache.New(memcache.Options{Now: o.Now}) // one per server, so every Handler shares sessions
	}
	if o.KeyCacheTTL == 0 {
		o.KeyCacheTTL = 5 * time.Second
	}
	return &Server{
		engine: o.Engine, store: o.Store, lists: o.Lists, cache: o.Cache, log: o.Log, now: o.Now, ready: o.Ready,
		keys:    &keyCache{store: o.Store, ttl: o.KeyCacheTTL, now: o.Now, entries: map[string]keyCacheEntry{}},
		metrics: NewMetrics(),
		limiter: rateLimiter{cache: o.Cache, perMinute: o.RateLimit, log: o.Log},
	}
}

// Metrics returns the server's metrics, so that other parts (engine hooks,
// list loader) can report into the same registry.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Handler returns the HTTP handler with every route.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	s.routes(r)
	return r
}

func (s *Server) observe(method, route string, status int, d time.Duration) {
	s.metrics.observeRequest(method, route, status, d)
}

// keyCache keeps looked-up keys for a few seconds so that authentication does
// not cost a store read on every request.
type keyCache struct {
	store   screening.Store
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]keyCacheEntry
}

type keyCacheEntry struct {
	key     *screening.APIKey
	expires time.Time
}

const keyCacheMax = 10000

func (kc *keyCache) lookup(ctx context.Context, hash string) (*screening.APIKey, error) {
	now := kc.now()
	kc.mu.Lock()
	e, ok := kc.entries[hash]
	kc.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.key, nil
	}
	k, err := kc.store.KeyByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	kc.mu.Lock()
	if len(kc.entries) >= keyCacheMax {
		clear(kc.entries) // unknown hashes are never cached, so only real keys fill it
	}
	kc.entries[hash] = keyCacheEntry{key: k, expires: now.Add(kc.ttl)}
	kc.mu.Unlock()
	return k, nil
}
