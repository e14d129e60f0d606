package redisstore

import (
	"sync"
	"time"
)

// batchTimeout bounds one batch's round trip. A batch carries other
// callers' items too, so it does not stop when a caller gives up.
const batchTimeout = 10 * time.Second

// batchQueue is the queue of a kind of command that concurrent callers send
// to Redis together: the audit-chained writes (chain.go) and the history
// look-ups (scriptbatch.go). A caller queues its item and waits; one
// goroutine, the drainer, sends the queues it serves in batches, each with
// whatever queued while the one before was on the wire, and exits when they
// are empty. With appendfsync always, every round trip that writes waits for
// an fsync turn of Redis, so many callers sharing one round trip share one
// turn.
//
// The drainer is a goroutine of its own, not one of the callers: a caller
// that sent a batch went back to its request once its own item was done, and
// the next batch waited until another caller was woken and scheduled: on a
// busy machine, part of every round trip. The drainer sends the next batch as
// soon as the last one is answered.
type batchQueue[T any] struct {
	d     *drainer
	queue []T // guarded by d.mu
}

// drainer sends the batches of one or more queues. The store's chain writes
// and history look-ups share one: each round trip carries a batch of both,
// so a screening's history step and another's save share one fsync turn of
// Redis instead of taking one each.
type drainer struct {
	mu       sync.Mutex // guards queued, draining and the queues it serves
	queued   int        // items in the queues it serves
	draining bool       // a drainer runs; at most one does, so state only it uses (the chain's head) needs no lock
	send     func()     // sends one batch of every queue served, in one round trip
}

// run queues item, starts a drainer unless one runs, and returns once done
// (the item's) is closed.
func (q *batchQueue[T]) run(item T, done <-chan struct{}) {
	d := q.d
	d.mu.Lock()
	q.queue = append(q.queue, item)
	d.queued++
	start := !d.draining
	d.draining = true
	d.mu.Unlock()
	if start {
		go d.drain()
	}
	<-done
}

// drain calls send until it finds the queues empty.
func (d *drainer) drain() {
	for {
		d.mu.Lock()
		if d.queued == 0 {
			d.draining = false
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
		d.send()
	}
}

// take removes up to limit items from the front of the queue and returns
// those that skip does not turn away (skip finishes what it turns away: a
// caller that gave up before its batch was sent).
func (q *batchQueue[T]) take(limit int, skip func(T) bool) []T {
	q.d.mu.Lock()
	n := min(len(q.queue), limit)
	items := q.queue[:n:n]
	q.queue = q.queue[n:]
	q.d.queued -= n
	q.d.mu.Unlock()
	batch := make([]T, 0, n)
	for _, item := range items {
		if !skip(item) {
			batch = append(batch, item)
		}
	}
	return batch
}

// requeue puts items back at the front of the queue, for the next batch.
func (q *batchQueue[T]) requeue(items []T) {
	q.d.mu.Lock()
	q.queue = append(items, q.queue...)
	q.d.queued += len(items)
	q.d.mu.Unlock()
}
