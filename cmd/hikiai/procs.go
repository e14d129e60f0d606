package main

// minProcs is the fewest Ps the server runs with on a small machine.
//
// Each screening ends in an fdatasync of the journal (about 800 a second at
// 1,000 screenings/s, 0.5 ms each), and a goroutine in a syscall keeps its P
// until the runtime takes it back. A runtime trace at 1,000/s on the 2-core
// bench machine found the goroutines in syscalls for 0.76 of the 2 Ps on
// average, and during each GC mark the collector took another 0.6. With 4
// Ps, the kernel shares the 2 cores among the threads instead, and the p99
// fell in every paired run: at 1,000/s 22-38 ms against 41-62 ms, at 500/s
// 19-21 ms against 26-31 ms (BENCHMARKS.md).
const minProcs = 4

// procsFor returns the GOMAXPROCS the server should set, and false to keep
// the runtime's. It keeps it when GOMAXPROCS is set in the environment, when
// the machine has minProcs CPUs or more, and when the runtime chose fewer Ps
// than the machine's CPUs: that is a CPU limit (a container's quota), and
// more threads than the quota would be throttled.
func procsFor(env string, numCPU, current int) (int, bool) {
	if env != "" {
		return 0, false
	}
	if current >= minProcs || current < numCPU {
		return 0, false
	}
	return minProcs, true
}
