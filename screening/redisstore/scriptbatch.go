package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxScriptBatch bounds the callers whose look-ups go in one pipeline. A
// screening's are 5 to 8 transactions and script runs of a few hundred bytes
// each, so a full batch is well under a megabyte.
const maxScriptBatch = 64

// scriptBatchTimeout bounds one batch's round trip. A batch carries other
// callers' runs too, so it does not stop when the caller that sends it gives
// up.
const scriptBatchTimeout = 10 * time.Second

// The history look-ups of concurrent screenings go in one pipeline
// (Store.scripts, a batchQueue). With appendfsync always, Redis answers no
// client of an event-loop turn that wrote before that turn's fsync, and each
// turn spends CPU on every connection it reads and answers; on a busy
// server, many screenings' small pipelines mean many turns and many
// syscalls. One pipeline at a time per process, with whatever queued while
// the last one was on the wire, makes turns fewer and larger. Unlike the
// audit chain's writes, look-ups need no order among themselves.

// scriptJob is one caller's runs, waiting for or done by a batch.
type scriptJob struct {
	ctx   context.Context
	calls []scriptCall
	first func(redis.Pipeliner) // queues commands sent once, before the calls (nil: none)

	// set when done is closed
	replies []any
	err     error
	done    chan struct{}
}

func (j *scriptJob) finish(replies []any, err error) {
	j.replies, j.err = replies, err
	close(j.done)
}

// scriptCall is one script run of a pipeline.
type scriptCall struct {
	script *redis.Script
	keys   []string
	args   []any
}

// runScripts runs calls by hash (EVALSHA) in one pipeline, after the
// commands first queues (nil: none), shared with the calls of other
// screenings made meanwhile, and returns the calls' replies in order. The
// caller checks first's commands itself once runScripts returns. Scripts the
// server does not know yet (NOSCRIPT, after a restart or on a new node) are
// loaded and only those calls are run again: the others, and first's
// commands, already ran. A job whose ctx ends before its batch is sent is
// not sent; once sent, its result is awaited. The first error among a job's
// calls is its error; the calls of the other jobs in its batch are not
// affected.
func (s *Store) runScripts(ctx context.Context, calls []scriptCall, first func(redis.Pipeliner)) ([]any, error) {
	return s.scripts.run(ctx, calls, first)
}

// scriptPipe is a client's shared pipelines of script runs and single
// commands (Store.runScripts). The cache has one too: a screening's website
// and rate-limit look-ups were each a round trip of their own, a write and a
// read system call and a wake-up for every screening.
type scriptPipe struct {
	c redis.UniversalClient
	q batchQueue[*scriptJob]
}

func newScriptPipe(c redis.UniversalClient) *scriptPipe {
	return &scriptPipe{c: c}
}

// run is Store.runScripts on the pipe's client.
func (sp *scriptPipe) run(ctx context.Context, calls []scriptCall, first func(redis.Pipeliner)) ([]any, error) {
	j := &scriptJob{ctx: ctx, calls: calls, first: first, done: make(chan struct{})}
	sp.q.run(j, j.done, sp.send)
	return j.replies, j.err
}

// do sends the command queue queues, in a shared pipeline; the caller reads
// its result from the command once do returns nil.
func (sp *scriptPipe) do(ctx context.Context, queue func(redis.Pipeliner)) error {
	_, err := sp.run(ctx, nil, queue)
	return err
}

// send takes up to maxScriptBatch queued jobs and runs them in one
// pipeline. The queue's drainer calls it. The batch is many callers' work,
// so it runs on a context of its own.
func (sp *scriptPipe) send() {
	batch := sp.q.take(maxScriptBatch, func(j *scriptJob) bool {
		if err := j.ctx.Err(); err != nil {
			j.finish(nil, err)
			return true
		}
		return false
	})
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), scriptBatchTimeout)
	defer cancel()

	type run struct {
		job  int // index in batch
		call int // index in the job's calls
	}
	replies := make([][]any, len(batch))
	failed := make([]error, len(batch))
	var pending []run
	for ji, j := range batch {
		replies[ji] = make([]any, len(j.calls))
		for ci := range j.calls {
			pending = append(pending, run{ji, ci})
		}
	}
	for attempt := 0; attempt == 0 || len(pending) > 0; attempt++ {
		if attempt == 2 {
			for _, r := range pending {
				if failed[r.job] == nil {
					failed[r.job] = fmt.Errorf("scripts still unknown to the server after loading them")
				}
			}
			break
		}
		cmds := make([]*redis.Cmd, len(pending))
		_, _ = sp.c.Pipelined(ctx, func(p redis.Pipeliner) error {
			if attempt == 0 {
				for _, j := range batch {
					if j.first != nil {
						j.first(p)
					}
				}
			}
			for i, r := range pending {
				c := &batch[r.job].calls[r.call]
				cmds[i] = c.script.EvalSha(ctx, p, c.keys, c.args...)
			}
			return nil
		})
		var retry []run
		loaded := map[*redis.Script]error{}
		for i, r := range pending {
			v, err := cmds[i].Result()
			switch {
			case err == nil:
				replies[r.job][r.call] = v
			case noScript(err):
				script := batch[r.job].calls[r.call].script
				lerr, done := loaded[script]
				if !done {
					lerr = script.Load(ctx, sp.c).Err()
					loaded[script] = lerr
				}
				if lerr != nil {
					if failed[r.job] == nil {
						failed[r.job] = lerr
					}
					continue
				}
				retry = append(retry, r)
			default:
				if failed[r.job] == nil {
					failed[r.job] = err
				}
			}
		}
		// A job that failed is done: its other calls are not sent again.
		pending = pending[:0]
		for _, r := range retry {
			if failed[r.job] == nil {
				pending = append(pending, r)
			}
		}
	}
	for ji, j := range batch {
		if failed[ji] != nil {
			j.finish(nil, failed[ji])
			continue
		}
		j.finish(replies[ji], nil)
	}
}
