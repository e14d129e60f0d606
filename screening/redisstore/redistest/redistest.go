// Package redistest gives tests a real Redis server: its address (from
// HIKIAI_TEST_REDIS_ADDR, which .ci/with-services sets), a key prefix of their
// own, and the clean-up of what they wrote. Without a server the tests skip
// on a developer machine and fail under CI, where one is always started.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hikiai/hikiai/screening/redisstore"
)

// Available returns the test server's address, and false when there is none
// on a developer machine; under CI a missing server fails the test. For tests
// that run on the embedded store always and on Redis when they can.
func Available(tb testing.TB) (string, bool) {
	tb.Helper()
	addr := os.Getenv("HIKIAI_TEST_REDIS_ADDR")
	if addr == "" && os.Getenv("CI") == "true" {
		tb.Fatal("HIKIAI_TEST_REDIS_ADDR is not set under CI: the Redis backend must be tested against a real server")
	}
	return addr, addr != ""
}

// Addr returns the test server's address, or skips the test without one
// (fails under CI).
func Addr(tb testing.TB) string {
	tb.Helper()
	addr, ok := Available(tb)
	if !ok {
		tb.Skip("HIKIAI_TEST_REDIS_ADDR not set; start redis-server and set it to run the Redis tests")
	}
	return addr
}

// NewClient is a client for addr, closed when the test ends.
func NewClient(tb testing.TB, addr string) *redis.Client {
	c := ClientFor(addr)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// ClientFor is a client that outlives any one test (closed by the process end).
func ClientFor(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, PoolSize: 64})
}

// UniquePrefix keeps parallel tests (and runs) apart on one server.
func UniquePrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "test:" + hex.EncodeToString(b[:]) + ":"
}

// Prefix is a prefix of the test's own on addr, whose keys are deleted when
// the test ends (registered first, so it runs after the test's other
// clean-ups, such as closing a store that still writes).
func Prefix(tb testing.TB, addr string) string {
	prefix := UniquePrefix()
	tb.Cleanup(func() { DropPrefix(tb, addr, prefix) })
	return prefix
}

// DropPrefix deletes every key under prefix. tb may be nil (after the tests).
func DropPrefix(tb testing.TB, addr, prefix string) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			c.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		c.Unlink(ctx, batch...)
	}
	if err := iter.Err(); err != nil && tb != nil {
		tb.Logf("clean up %s*: %v", prefix, err)
	}
}

// Store is a store on addr under a prefix of its own; when the test ends it
// is closed and its keys are deleted.
func Store(tb testing.TB, addr string) *redisstore.Store {
	prefix := Prefix(tb, addr)
	st := redisstore.New(NewClient(tb, addr), redisstore.Options{Prefix: prefix})
	// Cleanups run last-in first-out: the store closes, then the keys go, then the client.
	tb.Cleanup(func() { _ = st.Close() })
	return st
}
