package redisstore

import "sync"

// batchQueue is the queue of a kind of command that concurrent callers send
// to Redis together: the audit-chained writes (chain.go) and the history
// look-ups (scriptbatch.go). A caller queues its item and waits; one
// goroutine, the drainer, sends the queue in batches, each with whatever
// queued while the one before was on the wire, and exits when the queue is
// empty. With appendfsync always, every round trip that writes waits for an
// fsync turn of Redis, so many callers sharing one round trip share one
// turn.
//
// The drainer is a goroutine of its own, not one of the callers: a caller
// that sent a batch went back to its request once its own item was done, and
// the next batch waited until another caller was woken and scheduled: on a
// busy machine, part of every round trip. The drainer sends the next batch as
// soon as the last one is answered.
type batchQueue[T any] struct {
	mu       sync.Mutex // guards queue and draining
	queue    []T
	draining bool // a drainer runs; at most one does, so state only it uses (the chain's head) needs no lock
}

// run queues item, starts a drainer that calls send (which sends one batch
// of the queue) until the queue is empty unless one runs, and returns once
// done (the item's) is closed.
func (q *batchQueue[T]) run(item T, done <-chan struct{}, send func()) {
	q.mu.Lock()
	q.queue = append(q.queue, item)
	start := !q.draining
	q.draining = true
	q.mu.Unlock()
	if start {
		go q.drain(send)
	}
	<-done
}

// drain calls send until it finds the queue empty.
func (q *batchQueue[T]) drain(send func()) {
	for {
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.draining = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		send()
	}
}

// take removes up to limit items from the front of the queue and returns
// those that skip does not turn away (skip finishes what it turns away: a
// caller that gave up before its batch was sent).
func (q *batchQueue[T]) take(limit int, skip func(T) bool) []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.queue), limit)
	batch := make([]T, 0, n)
	for _, item := range q.queue[:n] {
		if !skip(item) {
			batch = append(batch, item)
		}
	}
	q.queue = q.queue[n:]
	return batch
}

// requeue puts items back at the front of the queue, for the next batch.
func (q *batchQueue[T]) requeue(items []T) {
	q.mu.Lock()
	q.queue = append(items, q.queue...)
	q.mu.Unlock()
}
