package api

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// rateWindow is the window the per-key limit counts in.
const rateWindow = time.Minute

// rateCacheTimeout bounds one counter update: the limiter must not make a
// request wait for a cache that does not answer (see limit).
const rateCacheTimeout = 250 * time.Millisecond

// rateLimiter limits each API key to perMinute /v1 requests per minute, in a
// fixed window counted with Cache.Allow: in process on the embedded store, in
// Redis when Redis is configured, so that every replica counts against one
// budget. A batch request counts once.
type rateLimiter struct {
	cache     screening.Cache
	perMinute int // 0: no limit
	log       *slog.Logger
	warnedAt  atomic.Int64 // unix seconds of the last "cache failed" warning
}

// limit runs after authenticate. Over the limit it answers 429 with
// Retry-After (whole seconds until the window ends) and the error code
// rate_limited.
//
// When the cache cannot count (Redis down or slow), the request goes on
// unlimited (fail open), with a warning at most every 10 s. The limit protects
// capacity, not decisions: a screening that passes the limiter still needs the
// store, which with Redis is the same server and answers 503 with Retry-After
// by itself, so failing closed here would only replace that precise answer
// with a vaguer one, and would turn a cache-only hiccup into an outage of
// order intake. Nothing can be answered "proceed" without a check either way.
func (l *rateLimiter) limit(c *gin.Context) {
	if l.perMinute <= 0 || l.cache == nil {
		c.Next()
		return
	}
	k := apiKey(c)
	if k == nil {
		c.Next()
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), rateCacheTimeout)
	ok, retry, err := l.cache.Allow(ctx, "apikey:"+k.ID, l.perMinute, rateWindow)
	cancel()
	if err != nil {
		if c.Request.Context().Err() != nil {
			c.Abort() // the client went away
			return
		}
		l.warn(c, err)
		c.Next()
		return
	}
	c.Header("X-RateLimit-Limit", strconv.Itoa(l.perMinute))
	if !ok {
		secs := int(math.Ceil(retry.Seconds()))
		if secs < 1 {
			secs = 1
		}
		c.Header("Retry-After", strconv.Itoa(secs))
		fail(c, screening.Errorf(screening.ERATELIMITED,
			"this API key made more than %d requests in a minute; retry in %d s", l.perMinute, secs))
		return
	}
	c.Next()
}

func (l *rateLimiter) warn(c *gin.Context, err error) {
	now := time.Now().Unix()
	last := l.warnedAt.Load()
	if now-last < 10 || !l.warnedAt.CompareAndSwap(last, now) {
		return
	}
	logger(c).Warn("rate limit not enforced: the cache could not count the request", slog.Any("err", err))
}
