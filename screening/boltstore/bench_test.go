package boltstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
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

// BenchmarkOpenHistory measures what the in-memory history index costs: the
// live heap an open store holds per history entry, and the time to build the
// index at open. The store holds about a million entries the way screenings
// leave them: each screening records its product (500 products, so some keys
// hold thousands of entries), its customer and end user (100,000
// counterparties), an e-mail address and a phone number (80,000 each), and
// one deal key of its own.
//
//	go test -run XXX -bench OpenHistory -benchtime 3x ./screening/boltstore/
func BenchmarkOpenHistory(b *testing.B) {
	const screenings, perScreening = 200_000, 6
	path := filepath.Join(b.TempDir(), "history.db")
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := time.Date(2025, 11, 24, 0, 0, 0, 0, time.UTC)
	var batch []screening.HistoryEntry
	for i := range screenings {
		id := "scr_seed_" + strconv.Itoa(i)
		at := start.Add(time.Duration(i) * 150 * time.Second) // about a year
		n := strconv.Itoa
		batch = append(batch,
			screening.HistoryEntry{Kind: screening.HistoryProduct, Key: "MC-" + n(i%500), Party: screening.RoleCustomer, Name: "Seed Co " + n(i%100_000), NameKey: "seed co " + n(i%100_000)},
			screening.HistoryEntry{Kind: screening.HistoryCounterparty, Key: "seed co " + n(i%100_000), Party: screening.RoleCustomer, Name: "Seed Co " + n(i%100_000)},
			screening.HistoryEntry{Kind: screening.HistoryCounterparty, Key: "user co " + n((i*7)%100_000), Party: screening.RoleEndUser, Name: "User Co " + n((i*7)%100_000)},
			screening.HistoryEntry{Kind: screening.HistoryContact, Key: "email:sales" + n(i%80_000) + "@seed.example"},
			screening.HistoryEntry{Kind: screening.HistoryContact, Key: "phone:+86101" + n(1_000_000+i%80_000)},
			screening.HistoryEntry{Kind: screening.HistoryDeal, Key: "deal " + id},
		)
		for j := len(batch) - perScreening; j < len(batch); j++ {
			batch[j].ScreeningID, batch[j].At, batch[j].Reference = id, at, "ref-"+n(i)
		}
		if len(batch) >= 6000 || i == screenings-1 {
			if _, err := st.RecordHistory(ctx, batch, 1); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	const entries = screenings * perScreening
	var before, after runtime.MemStats
	b.ResetTimer()
	for range b.N {
		runtime.GC()
		runtime.ReadMemStats(&before)
		st, err := boltstore.Open(path, boltstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/entries, "heap-B/entry")
	b.ReportMetric(float64(after.HeapObjects-before.HeapObjects)/entries, "objects/entry")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/entries, "open-ns/entry")
}

// BenchmarkAddRescreenPending records the changed entries of a large list
// import, in the file's order (not the keys'): what LocalAdmin.ImportLists
// does before it saves the snapshot.
func BenchmarkAddRescreenPending(b *testing.B) {
	for _, n := range []int{10_000, 150_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			items := make([]string, n)
			for i := range items {
				// file order: the entry numbers and hashes run in no key order
				items[i] = screening.PendingItem(fmt.Sprintf("us_csl:synthetic:%d", (i*7919)%n), fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15))
			}
			for b.Loop() {
				b.StopTimer()
				st, err := boltstore.Open(filepath.Join(b.TempDir(), "pending.db"), boltstore.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := st.AddRescreenPending(context.Background(), items); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
		})
	}
}
