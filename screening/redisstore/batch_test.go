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
		q        batchQueue[*item]
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
				q.mu.Lock()
				queued = len(q.queue)
				q.mu.Unlock()
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
	for round := range 2 {
		inRound.Store(0)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				it := &item{n: round*callers + i, done: make(chan struct{})}
				q.run(it, it.done, send)
			})
		}
		wg.Wait()
		// The drainer clears its flag just after the last batch it sent.
		deadline := time.Now().Add(5 * time.Second)
		for {
			q.mu.Lock()
			draining, left := q.draining, len(q.queue)
			q.mu.Unlock()
			if !draining && left == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: drainer still running (queue %d) after every caller returned", round, left)
			}
			time.Sleep(time.Millisecond)
		}
	}
	if n := overlaps.Load(); n > 0 {
		t.Errorf("%d batches were sent while another was on the wire", n)
	}
	for n := range 2 * callers {
		if sent[n] != 1 {
			t.Errorf("item %d sent %d times", n, sent[n])
		}
	}
	// Each round: its first batch, then the rest in full batches of 8.
	want := 0
	for _, n := range firstLen {
		want += 1 + (callers-n+7)/8
	}
	if b := batches.Load(); int(b) != want || len(firstLen) != 2 {
		t.Errorf("%d batches for %d items, want %d (first batches %v)", b, 2*callers, want, firstLen)
	}
}
