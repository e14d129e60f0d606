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
	mu    sync.Mutex
	queue []*groupCall
	busy  bool // a goroutine is committing the queue
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
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	if lead {
		g.commitQueued(db)
	}
	return <-c.done
}

// commitQueued commits what is queued now. If more arrived meanwhile, a new
// goroutine carries on, so that this caller gets its answer after one commit.
func (g *groupCommit) commitQueued(db *bolt.DB) {
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	calls := g.queue[:n:n]
	g.queue = append([]*groupCall(nil), g.queue[n:]...)
	g.mu.Unlock()

	commitGroup(db, calls)

	g.mu.Lock()
	more := len(g.queue) > 0
	g.busy = more
	g.mu.Unlock()
	if more {
		go g.commitQueued(db)
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
