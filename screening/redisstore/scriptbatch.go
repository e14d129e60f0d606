package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// maxScriptBatch bounds the callers whose look-ups go in one pipeline. A
// screening's are 5 to 8 transactions and script runs of a few hundred bytes
// each, so a full batch is well under a megabyte.
const maxScriptBatch = 64

// The history look-ups of concurrent screenings go in one pipeline
// (Store.scripts, a batchQueue). With appendfsync always, Redis answers no
// client of an event-loop turn that wrote before that turn's fsync, and each
// turn spends CPU on every connection it reads and answers; on a busy
// server, many screenings' small pipelines mean many turns and many
// syscalls. One pipeline at a time per process, with whatever queued while
// the last one was on the wire, makes turns fewer and larger. The store's
// pipeline carries a batch of the audit-chained writes too (Store.sendBatch).
// Unlike those writes, look-ups need no order among themselves.

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

// newScriptPipe returns a pipe on c. With d nil it has a drainer of its own;
// otherwise d's send must take and send the pipe's batches (Store.sendBatch).
func newScriptPipe(c redis.UniversalClient, d *drainer) *scriptPipe {
	sp := &scriptPipe{c: c}
	if d == nil {
		d = &drainer{send: sp.send}
	}
	sp.q.d = d
	return sp
}

// run is Store.runScripts on the pipe's client.
func (sp *scriptPipe) run(ctx context.Context, calls []scriptCall, first func(redis.Pipeliner)) ([]any, error) {
	j := &scriptJob{ctx: ctx, calls: calls, first: first, done: make(chan struct{})}
	sp.q.run(j, j.done)
	return j.replies, j.err
}

// do sends the command queue queues, in a shared pipeline; the caller reads
// its result from the command once do returns nil.
func (sp *scriptPipe) do(ctx context.Context, queue func(redis.Pipeliner)) error {
	_, err := sp.run(ctx, nil, queue)
	return err
}

// send takes a batch and runs it in a pipeline of its own: the drainer of a
// pipe that shares none calls it. The batch is many callers' work, so it
// runs on a context of its own.
func (sp *scriptPipe) send() {
	b := sp.takeBatch()
	if b == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	_, _ = sp.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		b.queue(ctx, p)
		return nil
	})
	b.settle(ctx)
}

// scriptBatch is the jobs of one batch on their way: queued in a pipeline,
// then settled from its replies.
type scriptBatch struct {
	sp      *scriptPipe
	jobs    []*scriptJob
	replies [][]any
	failed  []error
	pending []scriptRun // calls still to run
	cmds    []*redis.Cmd
	attempt int
}

// scriptRun is a call of a batch: its job's index, then the call's in the job.
type scriptRun struct{ job, call int }

// takeBatch takes up to maxScriptBatch queued jobs (nil: none).
func (sp *scriptPipe) takeBatch() *scriptBatch {
	jobs := sp.q.take(maxScriptBatch, func(j *scriptJob) bool {
		if err := j.ctx.Err(); err != nil {
			j.finish(nil, err)
			return true
		}
		return false
	})
	if len(jobs) == 0 {
		return nil
	}
	b := &scriptBatch{sp: sp, jobs: jobs, replies: make([][]any, len(jobs)), failed: make([]error, len(jobs))}
	for ji, j := range jobs {
		b.replies[ji] = make([]any, len(j.calls))
		for ci := range j.calls {
			b.pending = append(b.pending, scriptRun{ji, ci})
		}
	}
	return b
}

// queue puts the batch's commands in p: the first time the jobs' first
// commands and every call, after that the calls to run again.
func (b *scriptBatch) queue(ctx context.Context, p redis.Pipeliner) {
	if b.attempt == 0 {
		for _, j := range b.jobs {
			if j.first != nil {
				j.first(p)
			}
		}
	}
	b.cmds = make([]*redis.Cmd, len(b.pending))
	for i, r := range b.pending {
		c := &b.jobs[r.job].calls[r.call]
		b.cmds[i] = c.script.EvalSha(ctx, p, c.keys, c.args...)
	}
}

// settle reads the replies of the queued calls, loads the scripts the
// server did not know and runs those calls again in a pipeline of their
// own, then finishes every job.
func (b *scriptBatch) settle(ctx context.Context) {
	for {
		b.read(ctx)
		b.attempt++
		if len(b.pending) == 0 {
			break
		}
		if b.attempt == 2 {
			for _, r := range b.pending {
				b.fail(r.job, fmt.Errorf("scripts still unknown to the server after loading them"))
			}
			break
		}
		_, _ = b.sp.c.Pipelined(ctx, func(p redis.Pipeliner) error {
			b.queue(ctx, p)
			return nil
		})
	}
	for ji, j := range b.jobs {
		if b.failed[ji] != nil {
			j.finish(nil, b.failed[ji])
			continue
		}
		j.finish(b.replies[ji], nil)
	}
}

// fail records err as job's error unless it has one: the first is the one
// its caller gets.
func (b *scriptBatch) fail(job int, err error) {
	if b.failed[job] == nil {
		b.failed[job] = err
	}
}

// read takes the replies of the calls sent last; pending becomes the calls
// to run again (NOSCRIPT, their scripts now loaded).
func (b *scriptBatch) read(ctx context.Context) {
	var retry []scriptRun
	loaded := map[*redis.Script]error{}
	for i, r := range b.pending {
		v, err := b.cmds[i].Result()
		switch {
		case err == nil:
			b.replies[r.job][r.call] = v
		case noScript(err):
			script := b.jobs[r.job].calls[r.call].script
			lerr, done := loaded[script]
			if !done {
				lerr = script.Load(ctx, b.sp.c).Err()
				loaded[script] = lerr
			}
			if lerr != nil {
				b.fail(r.job, lerr)
				continue
			}
			retry = append(retry, r)
		default:
			b.fail(r.job, err)
		}
	}
	// A job that failed is done: its other calls are not sent again.
	b.pending = b.pending[:0]
	for _, r := range retry {
		if b.failed[r.job] == nil {
			b.pending = append(b.pending, r)
		}
	}
}
