package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

const (
	ctxRequestID = "hikiai.request_id"
	ctxLogger    = "hikiai.logger"
	ctxKey       = "hikiai.key"
	// MaxBodyBytes caps every request body; larger bodies get 413.
	MaxBodyBytes = 1 << 20
)

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// apiKey is the authenticated key of the request (nil before auth).
func apiKey(c *gin.Context) *screening.APIKey {
	if k, ok := c.Get(ctxKey); ok {
		return k.(*screening.APIKey)
	}
	return nil
}

// withRequest gives every request an id (the caller's X-Request-ID when it is
// sane), a logger carrying it, and one access-log line.
func (s *Server) withRequest(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < '!' || r > '~' }) {
		id = screening.NewID("req", s.now())
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	l := s.log.With(slog.String("request_id", id))
	c.Set(ctxLogger, l)
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.observe(c.Request.Method, route, c.Writer.Status(), time.Since(start))
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("method", c.Request.Method), slog.String("route", route),
		slog.Int("status", c.Writer.Status()), slog.Duration("duration", time.Since(start))}
	if k := apiKey(c); k != nil {
		attrs = append(attrs, slog.String("key_id", k.ID))
	}
	l.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// recoverPanic turns a panic into a logged 500 with the JSON error shape.
func recoverPanic(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			fail(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// limitBody caps request bodies at MaxBodyBytes; reading past it fails with
// *http.MaxBytesError, which decodeJSON answers with 413.
func limitBody(c *gin.Context) {
	if c.Request.ContentLength > MaxBodyBytes {
		fail(c, screening.Errorf(screening.ETOOLARGE, "request body is larger than %d bytes", MaxBodyBytes))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
	c.Next()
}

// HashSecret is how API key secrets are stored: hex SHA-256. Secrets are 256-bit
// random, so a plain hash is enough (no dictionary to guess from).
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// authenticate reads the bearer key and loads it.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" {
		c.Header("WWW-Authenticate", `Bearer realm="hikiai"`)
		fail(c, screening.Errorf(screening.EUNAUTHORIZED, "missing bearer API key in the Authorization header"))
		return
	}
	k, err := s.keys.lookup(c.Request.Context(), HashSecret(secret))
	if screening.ErrorCode(err) == screening.ENOTFOUND || (err == nil && k.RevokedAt != nil) {
		c.Header("WWW-Authenticate", `Bearer realm="hikiai", error="invalid_token"`)
		fail(c, screening.Errorf(screening.EUNAUTHORIZED, "unknown or revoked API key"))
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(ctxKey, k)
	c.Set(ctxLogger, logger(c).With(slog.String("key_id", k.ID)))
	c.Next()
}

// allow lets only the given roles through.
func allow(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		k := apiKey(c)
		if k == nil || !slices.Contains(roles, k.Role) {
			fail(c, screening.Errorf(screening.EFORBIDDEN, "this call needs one of the roles %s", strings.Join(roles, ", ")))
			return
		}
		c.Next()
	}
}

// seesAll reports whether the key may see every screening (not only its own).
func seesAll(k *screening.APIKey) bool {
	return k.Role == screening.RoleReviewer || k.Role == screening.RoleAdmin
}
