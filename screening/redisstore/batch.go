package redisstore

import "sync"

// batchQueue is the queue of a kind of command that concurrent callers send
// to Redis together: the audit-chained writes (chain.go) and the history
// look-ups (scriptbatch.go). A caller queues its item and waits; the caller
// that finds no batch on the wire sends the next one, with whatever queued
// meanwhile; the others wait for their result. With appendfsync always,
// every round trip that writes waits for an fsync turn of Redis, so many
// callers sharing one round trip share one turn.
type batchQueue[T any] struct {
	mu    sync.Mutex // guards queue
	queue []T

	// sending holds a value while a caller sends a batch. State that only
	// the sender uses (the chain's head) needs no lock of its own.
	sending chan struct{}
}

func newBatchQueue[T any]() batchQueue[T] { return batchQueue[T]{sending: make(chan struct{}, 1)} }

// run queues item and returns once done (the item's) is closed. Until then,
// whenever no other caller holds sending, it takes it and calls send (which
// sends one batch of the queue) until done is closed: its own item is in the
// first batch unless it queued behind a full batch or has to retry.
func (q *batchQueue[T]) run(item T, done <-chan struct{}, send func()) {
	q.mu.Lock()
	q.queue = append(q.queue, item)
	q.mu.Unlock()
	for !closed(done) {
		select {
		case <-done:
		case q.sending <- struct{}{}:
			for !closed(done) {
				send()
			}
			<-q.sending
		}
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

// closed reports whether done is closed.
func closed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}
