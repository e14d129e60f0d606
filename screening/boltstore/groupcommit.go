package boltstore

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// maxGroup bounds how many writes share one transaction, so that one commit
// (and the memory of its dirty pages) stays small under a burst.
const maxGroup = 256

// groupCommit lets concurrent writes share one transaction and its fsyncs.
//
// bbolt's own db.Batch waits a fixed delay and then queues its batch for the
// write lock. Under load, each delay closes a batch of one or two writes,
// and batches pile up behind the lock, each paying two fsyncs: the writer
// falls behind and waits grow to tens of milliseconds. Here, a write that
// finds the writer idle commits at once. Writes that arrive during a commit
// wait for it and then go together in the next one. A batch is whatever
// gathered during one commit, so it grows with load and adds no delay when
// the server is quiet.
type groupCommit struct {
	calls groupQueue[*groupCall]
}

type groupCall struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// run queues fn and returns once its transaction has committed (or fn
// failed). fn may run more than once: when another write in its group fails,
// the group's transaction rolls back and the others run again.
func (g *groupCommit) run(db *bolt.DB, fn func(*bolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	if g.calls.join(c) {
		g.calls.drain(maxGroup, func(calls []*groupCall) { commitGroup(db, calls) })
	}
	return <-c.done
}

// groupQueue is the leader-and-followers scheme of groupCommit and the
// journal: a caller that finds nobody at work leads and handles the queue;
// callers that arrive meanwhile queue up and are handled together next.
type groupQueue[T any] struct {
	mu    sync.Mutex
	queue []T
	busy  bool // a goroutine is handling the queue
}

// join queues c and reports whether the caller leads: it must then call drain.
func (q *groupQueue[T]) join(c T) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = append(q.queue, c)
	lead := !q.busy
	q.busy = true
	return lead
}

// drain hands what is queued now (at most limit; 0 means all) to handle.
// If more arrived meanwhile, a new goroutine carries on, so that the leader
// gets its answer after one round.
func (q *groupQueue[T]) drain(limit int, handle func([]T)) {
	q.mu.Lock()
	n := len(q.queue)
	if limit > 0 {
		n = min(n, limit)
	}
	group := q.queue[:n:n]
	q.queue = append([]T(nil), q.queue[n:]...)
	q.mu.Unlock()

	handle(group)

	q.mu.Lock()
	more := len(q.queue) > 0
	q.busy = more
	q.mu.Unlock()
	if more {
		go q.drain(limit, handle)
	}
}

// commitGroup runs calls in one transaction. A call that fails is taken out,
// the rest run again, and each failed call then runs alone in arrival order,
// so that its error is its own and not a neighbour's.
func commitGroup(db *bolt.DB, calls []*groupCall) {
	var failed []*groupCall
	for len(calls) > 0 {
		failIdx := -1
		err := db.Update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := callSafely(c.fn, tx); err != nil {
					failIdx = i
					return err
				}
			}
			return nil
		})
		if failIdx >= 0 {
			failed = append(failed, calls[failIdx])
			calls = append(calls[:failIdx:failIdx], calls[failIdx+1:]...)
			continue
		}
		for _, c := range calls {
			c.done <- err
		}
		break
	}
	for _, c := range failed {
		c.done <- db.Update(func(tx *bolt.Tx) error { return callSafely(c.fn, tx) })
	}
}

// callSafely turns a panic in fn into an error, so that one bad write cannot
// take down the goroutine that commits everyone else's.
func callSafely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in write: %v", p)
		}
	}()
	return fn(tx)
}
