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
	defer reportThreadCPU(b)()
	for i := 0; b.Loop(); i++ {
		Key(names[i%len(names)])
	}
}

// reportThreadCPU locks the benchmark to its thread and, when the returned
// function runs, reports the thread's CPU time per operation: on a shared
// machine ns/op is mostly the neighbours' load.
func reportThreadCPU(b *testing.B) func() {
	runtime.LockOSThread()
	c0, ok := threadCPUTime()
	return func() {
		c1, ok2 := threadCPUTime()
		runtime.UnlockOSThread()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64((c1-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
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
	defer reportThreadCPU(b)()
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

// BenchmarkIndexBuild reports build time (wall as ns/op, and the CPU time
// of all cores), and heap bytes per record once built. Run with -benchtime 1x.
func BenchmarkIndexBuild(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(itoa(n), func(b *testing.B) {
			recs := syntheticRecords(n, 42)
			var perEntry, cpuSeconds float64
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				c0, ok := processCPUTime()
				ix, err := NewIndex(recs)
				if c1, ok2 := processCPUTime(); ok && ok2 {
					cpuSeconds = (c1 - c0).Seconds()
				}
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perEntry = float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
				runtime.KeepAlive(ix)
			}
			b.ReportMetric(perEntry, "heapB/entry")
			b.ReportMetric(cpuSeconds, "cpu-s")
		})
	}
}

// BenchmarkSearch reports p50 and p99 latency of Search on one goroutine
// locked to its thread: wall time, and on Linux the thread's CPU time.
func BenchmarkSearch(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(itoa(n), func(b *testing.B) {
			recs := syntheticRecords(n, 42)
			ix, err := NewIndex(recs)
			if err != nil {
				b.Fatal(err)
			}
			queries, src := syntheticQueriesWithSource(recs, 2000, 7)
			runtime.GC()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			wall := make([]time.Duration, 0, 4096)
			cpu := make([]time.Duration, 0, 4096)
			i, derived, found := 0, 0, 0
			for b.Loop() {
				c0, ok := threadCPUTime()
				start := time.Now()
				hits := ix.Search(queries[i%len(queries)], SearchOptions{Limit: 10})
				wall = append(wall, time.Since(start))
				if c1, ok2 := threadCPUTime(); ok && ok2 {
					cpu = append(cpu, c1-c0)
				}
				if s := src[i%len(queries)]; s >= 0 {
					derived++
					if foundSource(hits, recs[s], s) {
						found++
					}
				}
				i++
			}
			if derived > 0 {
				// queries derived from a record (typo, reordered, legal form
				// added) that found it, or a record of the same name, in the
				// first ten hits
				b.ReportMetric(100*float64(found)/float64(derived), "found-%")
			}
			reportPercentiles(b, "wall", wall)
			reportPercentiles(b, "cpu", cpu)
		})
	}
}

func reportPercentiles(b *testing.B, name string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	sort.Slice(d, func(a, c int) bool { return d[a] < d[c] })
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), name+"-p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), name+"-p99-µs")
}

// foundSource reports whether hits hold the record a query was derived
// from, or another record with a name of the same key: at a million
// synthetic records many names repeat, and any of them is a right answer.
func foundSource(hits []Hit, rec Record, idx int) bool {
	keys := map[string]bool{}
	for _, n := range rec.Names {
		keys[Key(n.Value)] = true
	}
	for _, h := range hits {
		if h.Index == idx || keys[Key(h.Name)] {
			return true
		}
	}
	return false
}
