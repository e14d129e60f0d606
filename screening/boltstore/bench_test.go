package boltstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/storetest"
)

// go test -run XXX -bench . ./screening/boltstore/

func BenchmarkSaveScreening(b *testing.B) {
	st, err := boltstore.Open(filepath.Join(b.TempDir(), "bench.db"), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.BenchSaveScreening(b, st)
}

// seeded is one store with a million history entries, made once per test
// binary: the benchmark function runs several times with a growing b.N.
var seeded struct {
	once sync.Once
	dir  string
	st   *boltstore.Store
	err  error
}

func seededStore(b *testing.B) *boltstore.Store {
	seeded.once.Do(func() {
		if seeded.dir, seeded.err = os.MkdirTemp("", "hikiai-bench-"); seeded.err != nil {
			return
		}
		if seeded.st, seeded.err = boltstore.Open(filepath.Join(seeded.dir, "history.db"), boltstore.Options{}); seeded.err != nil {
			return
		}
		took := storetest.SeedHistory(b, seeded.st, 1_000_000)
		info, _ := os.Stat(seeded.st.Path())
		// Benchmark logs of a parent benchmark are not shown; say it on stderr.
		fmt.Fprintf(os.Stderr, "seeded 1,000,000 history entries in %v (file %d MB)\n", took, info.Size()>>20)
	})
	if seeded.err != nil {
		b.Fatal(seeded.err)
	}
	return seeded.st
}

func BenchmarkRecordHistory(b *testing.B) {
	st := seededStore(b)
	b.Run("serial", func(b *testing.B) { storetest.BenchRecordHistory(b, st, false) })
	b.Run("parallel", func(b *testing.B) { storetest.BenchRecordHistory(b, st, true) })
}

func TestMain(m *testing.M) {
	code := m.Run()
	if seeded.st != nil {
		seeded.st.Close()
	}
	if seeded.dir != "" {
		os.RemoveAll(seeded.dir)
	}
	os.Exit(code)
}

func BenchmarkScreeningWrites(b *testing.B) {
	st, err := boltstore.Open(filepath.Join(b.TempDir(), "bench.db"), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.BenchScreeningWrites(b, st)
}
