package redisstore_test

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/hikiai/hikiai/screening/redisstore"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
	"github.com/hikiai/hikiai/screening/storetest"
)

// HIKIAI_TEST_REDIS_ADDR=127.0.0.1:6379 go test -run XXX -bench . ./screening/redisstore/

func BenchmarkSaveScreening(b *testing.B) {
	addr := redistest.Addr(b)
	prefix := redistest.Prefix(b, addr)
	storetest.BenchSaveScreening(b, redisstore.New(redistest.NewClient(b, addr), redisstore.Options{Prefix: prefix}))
}

func BenchmarkScreeningWrites(b *testing.B) {
	addr := redistest.Addr(b)
	prefix := redistest.Prefix(b, addr)
	storetest.BenchScreeningWrites(b, redisstore.New(redistest.NewClient(b, addr), redisstore.Options{Prefix: prefix}))
}

// seeded is one store with a million history entries, made once per test
// binary (the benchmark function runs several times with a growing b.N) and
// dropped in TestMain.
var seeded struct {
	once   sync.Once
	addr   string
	prefix string
	st     *redisstore.Store
}

func seededStore(b *testing.B) *redisstore.Store {
	addr := redistest.Addr(b)
	seeded.once.Do(func() {
		seeded.addr, seeded.prefix = addr, redistest.UniquePrefix()
		seeded.st = redisstore.New(redistest.ClientFor(addr), redisstore.Options{Prefix: seeded.prefix})
		took := storetest.SeedHistory(b, seeded.st, 1_000_000)
		// Benchmark logs of a parent benchmark are not shown; say it on stderr.
		fmt.Fprintf(os.Stderr, "seeded 1,000,000 history entries in %v\n", took)
	})
	return seeded.st
}

func BenchmarkRecordHistory(b *testing.B) {
	st := seededStore(b)
	b.Run("serial", func(b *testing.B) { storetest.BenchRecordHistory(b, st, false) })
	b.Run("parallel", func(b *testing.B) { storetest.BenchRecordHistory(b, st, true) })
}

func TestMain(m *testing.M) {
	code := m.Run()
	if seeded.prefix != "" {
		redistest.DropPrefix(nil, seeded.addr, seeded.prefix)
	}
	os.Exit(code)
}
