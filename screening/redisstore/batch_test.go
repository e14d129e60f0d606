package redisstore

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBatchQueueOneDrainer: however many callers queue at once, one drainer
// at a time sends, every item is sent exactly once and its caller returns,
// items that queue while a batch is on the wire share the next one, and the
// drainer is gone once the queue is empty (the next caller starts another).
func TestBatchQueueOneDrainer(t *testing.T) {
	type item struct {
		n    int
		done chan struct{}
	}
	const callers = 200
	var (
		d        drainer
		q        = batchQueue[*item]{d: &d}
		firstLen []int // per round, the size of its first batch
		inSend   atomic.Int32
		overlaps atomic.Int32
		batches  atomic.Int32
		inRound  atomic.Int32 // items taken in this round
		sentMu   sync.Mutex
		sent     = map[int]int{}
	)
	send := func() {
		if inSend.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer inSend.Add(-1)
		batch := q.take(8, func(*item) bool { return false })
		batches.Add(1)
		if inRound.Add(int32(len(batch))) == int32(len(batch)) {
			// The first batch of a round is on the wire until every other
			// caller of the round has queued.
			firstLen = append(firstLen, len(batch))
			give := time.Now().Add(5 * time.Second) // a second drainer would never let the queue fill
			for queued := 0; queued < callers-len(batch) && time.Now().Before(give); time.Sleep(100 * time.Microsecond) {
				d.mu.Lock()
				queued = len(q.queue)
				d.mu.Unlock()
			}
		}
		sentMu.Lock()
		for _, it := range batch {
			sent[it.n]++
		}
		sentMu.Unlock()
		for _, it := range batch {
			close(it.done)
		}
	}
	d.send = send
	for round := range 2 {
		inRound.Store(0)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				it := &item{n: round*callers + i, done: make(chan struct{})}
				q.run(it, it.done)
			})
		}
		wg.Wait()
		// The drainer clears its flag just after the last batch it sent.
		waitDrainerIdle(t, &d)
	}
	checkSentOnce(t, sent, 2*callers, overlaps.Load())
	// Each round: its first batch, then the rest in full batches of 8.
	want := 0
	for _, n := range firstLen {
		want += 1 + (callers-n+7)/8
	}
	if b := batches.Load(); int(b) != want || len(firstLen) != 2 {
		t.Errorf("%d batches for %d items, want %d (first batches %v)", b, 2*callers, want, firstLen)
	}
}

// TestDrainerSharedByTwoQueues: a drainer that serves two queues (the
// store's chain writes and history look-ups) sends a batch of each in one
// round trip, never two round trips at once, every item once, and stops
// only when both queues are empty.
func TestDrainerSharedByTwoQueues(t *testing.T) {
	type item struct {
		n    int
		done chan struct{}
	}
	const callers = 200 // per queue
	var (
		d        drainer
		a        = batchQueue[*item]{d: &d}
		b        = batchQueue[*item]{d: &d}
		inSend   atomic.Int32
		overlaps atomic.Int32
		sends    int // only the drainer counts
		first    [2]int
		sent     = map[int]int{}
	)
	keep := func(*item) bool { return false }
	d.send = func() {
		if inSend.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer inSend.Add(-1)
		fromA, fromB := a.take(8, keep), b.take(8, keep)
		sends++
		if sends == 1 {
			// The first round trip is on the wire until every other caller
			// has queued, on both queues.
			first = [2]int{len(fromA), len(fromB)}
			give := time.Now().Add(5 * time.Second)
			for queued := 0; queued < 2*callers-len(fromA)-len(fromB) && time.Now().Before(give); time.Sleep(100 * time.Microsecond) {
				d.mu.Lock()
				queued = len(a.queue) + len(b.queue)
				d.mu.Unlock()
			}
		}
		for _, it := range append(fromA, fromB...) {
			sent[it.n]++
			close(it.done)
		}
	}
	var wg sync.WaitGroup
	for i := range 2 * callers {
		q := &a
		if i%2 == 1 {
			q = &b
		}
		wg.Go(func() {
			it := &item{n: i, done: make(chan struct{})}
			q.run(it, it.done)
		})
	}
	wg.Wait()
	waitDrainerIdle(t, &d)
	checkSentOnce(t, sent, 2*callers, overlaps.Load())
	// After the first, each round trip carries 8 of each queue while both
	// have items.
	restA, restB := (callers-first[0]+7)/8, (callers-first[1]+7)/8
	if want := 1 + max(restA, restB); sends != want {
		t.Errorf("%d round trips for %d items, want %d (first carried %v)", sends, 2*callers, want, first)
	}
}

// waitDrainerIdle waits until d's drainer has found its queues empty and
// gone, which it does just after the last batch it sent.
func waitDrainerIdle(t *testing.T, d *drainer) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d.mu.Lock()
		draining, left := d.draining, d.queued
		d.mu.Unlock()
		if !draining && left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("drainer still running (%d queued) after every caller returned", left)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkSentOnce checks that items 0..n-1 were each sent once, and that no
// two sends overlapped.
func checkSentOnce(t *testing.T, sent map[int]int, n int, overlaps int32) {
	t.Helper()
	if overlaps > 0 {
		t.Errorf("%d round trips were sent while another was on the wire", overlaps)
	}
	for i := range n {
		if sent[i] != 1 {
			t.Errorf("item %d sent %d times", i, sent[i])
		}
	}
}
