package names

import (
	"flag"
	"runtime"
	"sort"
	"testing"
	"time"
)

var largeBench = flag.Bool("names.large", false, "run the index benchmarks at 1,000,000 records")

func BenchmarkKey(b *testing.B) {
	names := []string{"株式会社ABC商事", "ABC Shoji Co., Ltd.", "Korea Mining Development Trading Corporation (KOMID)", "Сергей Викторович Лавров"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Key(names[i%len(names)])
	}
}

func BenchmarkCompare(b *testing.B) {
	pairs := [][2]string{
		{"Korea Kwangsong Trading Corporation", "コリア・クァンソン・トレーディング・コーポレーション"},
		{"Sergey Viktorovich Lavrov", "Sergei Lavrov"},
		{"Islamic Republic of Iran Shipping Lines", "IRISL"},
		{"Bank of China (Hong Kong) Limited", "Bank of China (Singapore) Limited"},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		Compare(p[0], p[1], CompareOptions{})
	}
}

func benchSizes() []int {
	if *largeBench {
		return []int{10_000, 100_000, 1_000_000}
	}
	if testing.Short() {
		return []int{10_000}
	}
	return []int{10_000, 100_000}
}

// BenchmarkIndexBuild reports build time and heap bytes per record.
func BenchmarkIndexBuild(b *testing.B) {
	for _, n := range benchSizes() {
		recs := syntheticRecords(n, 42)
		b.Run(itoa(n), func(b *testing.B) {
			var perEntry float64
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				ix, err := NewIndex(recs)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perEntry = float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
				runtime.KeepAlive(ix)
			}
			b.ReportMetric(perEntry, "heapB/entry")
		})
	}
}

// BenchmarkSearch reports p50 and p99 latency of Search on one goroutine.
func BenchmarkSearch(b *testing.B) {
	for _, n := range benchSizes() {
		recs := syntheticRecords(n, 42)
		ix, err := NewIndex(recs)
		if err != nil {
			b.Fatal(err)
		}
		queries := syntheticQueries(recs, 2000, 7)
		b.Run(itoa(n), func(b *testing.B) {
			lat := make([]time.Duration, 0, 4096)
			i := 0
			for b.Loop() {
				start := time.Now()
				ix.Search(queries[i%len(queries)], SearchOptions{Limit: 10})
				lat = append(lat, time.Since(start))
				i++
			}
			sort.Slice(lat, func(a, c int) bool { return lat[a] < lat[c] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
