package storetest

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// Benchmarks every backend runs the same way, so that their figures compare.

// BenchSaveScreening saves screenings from many goroutines at once (16 per
// core, as concurrent requests would), half of them with a case, and reports
// screenings/s. Each save is durable when it returns.
func BenchSaveScreening(b *testing.B, st screening.Store) {
	ctx := context.Background()
	runScreenings(b, func(i int64, id string) {
		s := newScreening(id, "key_bench", "REF-"+id, "acme", base.Add(time.Duration(i)*time.Millisecond))
		var c *screening.Case
		if i%2 == 0 {
			c = newCase("case"+id[3:], s, screening.CaseOpen, screening.LevelHigh, s.ScreenedAt)
		}
		if err := st.SaveScreening(ctx, s, c, auditFor(screening.AuditScreening, id, s.ScreenedAt)); err != nil {
			b.Fatal(err)
		}
	})
}

// runScreenings calls one from 16 goroutines per core with a running number
// and a fresh screening id, and reports screenings/s.
func runScreenings(b *testing.B, one func(i int64, id string)) {
	var n atomic.Int64
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			one(i, fmt.Sprintf("scr_%s_%d", run, i))
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "screenings/s")
}

// HotKey is the product key SeedHistory fills.
const HotKey = "MC-5X200"

// SeedHistory records n product entries on HotKey, spread evenly over the
// year before the suite's base time, in time order and in calls of 1,000
// (the way a long-running installation would have filled it). It returns how
// long seeding took.
func SeedHistory(tb testing.TB, st screening.Store, n int) time.Duration {
	tb.Helper()
	ctx := context.Background()
	start := time.Now()
	step := 365 * 24 * time.Hour / time.Duration(n)
	const per = 1000
	batch := make([]screening.HistoryEntry, 0, per)
	for i := range n {
		at := base.Add(-365 * 24 * time.Hour).Add(time.Duration(i) * step)
		batch = append(batch, screening.HistoryEntry{
			Kind: screening.HistoryProduct, Key: HotKey, ScreeningID: "scr_seed_" + strconv.Itoa(i), At: at,
			Party: screening.RoleCustomer, Name: "Seed Trading " + strconv.Itoa(i%5000), NameKey: "seed trading " + strconv.Itoa(i%5000), Country: "CN",
		})
		if len(batch) == per || i == n-1 {
			if _, err := st.RecordHistory(ctx, batch, 1); err != nil {
				tb.Fatalf("seed history at %d: %v", i, err)
			}
			batch = batch[:0]
		}
	}
	return time.Since(start)
}

// BenchRecordHistory records what one screening typically records: the hot
// product (millions of prior entries, a 30-day window, at most 20 back), a
// counterparty and two contact values on keys of their own. parallel runs it
// from 16 goroutines per core.
func BenchRecordHistory(b *testing.B, st screening.Store, parallel bool) {
	ctx := context.Background()
	var n atomic.Int64
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	one := func() {
		i := n.Add(1)
		id := fmt.Sprintf("scr_%s_%d", run, i)
		at := base.Add(time.Duration(i%3600) * time.Second)
		entries := []screening.HistoryEntry{
			{Kind: screening.HistoryProduct, Key: HotKey, ScreeningID: id, At: at, Party: screening.RoleCustomer, Name: "Bench Co", NameKey: "bench co", Window: 30 * 24 * time.Hour},
			{Kind: screening.HistoryCounterparty, Key: "bench co " + strconv.FormatInt(i%1000, 10), ScreeningID: id, At: at, Party: screening.RoleCustomer, Name: "Bench Co"},
			{Kind: screening.HistoryContact, Key: "email:sales" + strconv.FormatInt(i%5000, 10) + "@bench.example", ScreeningID: id, At: at, Window: 90 * 24 * time.Hour},
			{Kind: screening.HistoryContact, Key: "phone:+86101234" + strconv.FormatInt(i%5000, 10), ScreeningID: id, At: at, Window: 90 * 24 * time.Hour},
		}
		res, err := st.RecordHistory(ctx, entries, 20)
		if err != nil {
			b.Fatal(err)
		}
		if len(res[0]) != 20 {
			b.Fatalf("the hot key gave %d entries, want the limit of 20", len(res[0]))
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if parallel {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				one()
			}
		})
	} else {
		for b.Loop() {
			one()
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "screenings/s")
}

// BenchScreeningWrites does what a screening asks of the store, from 16
// goroutines per core: record its history (a product shared by all, a
// counterparty, two contacts), then save the screening with an audit record
// and, for every other one, a case.
func BenchScreeningWrites(b *testing.B, st screening.Store) {
	ctx := context.Background()
	runScreenings(b, func(i int64, id string) {
		at := base.Add(time.Duration(i) * time.Second)
		entries := []screening.HistoryEntry{
			{Kind: screening.HistoryProduct, Key: HotKey, ScreeningID: id, At: at, Party: screening.RoleCustomer, Name: "Bench Co", NameKey: "bench co", Window: 14 * 24 * time.Hour},
			{Kind: screening.HistoryCounterparty, Key: "bench co " + strconv.FormatInt(i%1000, 10), ScreeningID: id, At: at, Party: screening.RoleCustomer, Name: "Bench Co", Window: 24 * time.Hour},
			{Kind: screening.HistoryContact, Key: "email:sales" + strconv.FormatInt(i%5000, 10) + "@bench.example", ScreeningID: id, At: at, Window: 90 * 24 * time.Hour},
			{Kind: screening.HistoryContact, Key: "phone:+86101234" + strconv.FormatInt(i%5000, 10), ScreeningID: id, At: at, Window: 90 * 24 * time.Hour},
		}
		if _, err := st.RecordHistory(ctx, entries, 20); err != nil {
			b.Fatal(err)
		}
		s := newScreening(id, "key_bench", "REF-"+id, "bench co", at)
		var c *screening.Case
		if i%2 == 0 {
			c = newCase("case"+id[3:], s, screening.CaseOpen, screening.LevelHigh, at)
		}
		if err := st.SaveScreening(ctx, s, c, auditFor(screening.AuditScreening, id, at)); err != nil {
			b.Fatal(err)
		}
	})
}
