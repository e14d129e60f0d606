package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hikiai/hikiai/screening"
	"github.com/redis/go-redis/v9"
)

// maxChainRetries bounds how often a write re-seals after the chain head
// moved under it (another replica wrote, or a write before it in its batch
// was refused); each retry means some other write went first.
const maxChainRetries = 100

// maxChainBatch bounds the writes sent in one pipeline. A screening's save
// carries a few KB, so a full batch is well under a megabyte.
const maxChainBatch = 64

// chainWriter sends this process's audit-chained writes. Every such write
// must name the chain head it extends, so one process cannot have two in
// flight on its own: one write per round trip would cap the whole process at
// one save per fsync turn of Redis (about 600 screenings/s with appendfsync
// always). Instead, writes that arrive while a batch is on the wire queue up
// (batch.go), and the next batch seals them one after the other (each on the
// head the previous one makes) and sends them in one pipeline: one round
// trip, one fsync turn, many writes.
type chainWriter struct {
	batchQueue[*chainWrite]

	// head, the chain head ("seq hash") this process last saw, and headKnown
	// are used only by the queue's drainer.
	head      string
	headKnown bool
}

// chainWrite is one write waiting for, or done by, a batch.
type chainWrite struct {
	ctx    context.Context
	op     string
	script *redis.Script
	keys   []string // the chain's two keys, then the script's own
	args   []any    // the script's own arguments (after the chain's four)
	rec    screening.AuditRecord
	tries  int

	// set when done is closed
	sealed screening.AuditRecord
	reply  []any
	err    error
	done   chan struct{}
}

func (w *chainWrite) finish(sealed screening.AuditRecord, reply []any, err error) {
	w.sealed, w.reply, w.err = sealed, reply, err
	close(w.done)
}

// chained runs script with the audit chain's head and log as KEYS[1] and
// KEYS[2] and the expected head, the new head, the sequence number and the
// sealed record as ARGV[1..4]; the script's own keys and arguments follow.
// Scripts begin with chainCheck and end with chainAppend (scripts.go). The
// script's reply comes back, except the "stale" reply, which is handled here
// by re-sealing on the head the script saw. A write whose ctx ends before its
// batch is sent is not sent; once sent, its result is awaited.
func (s *Store) chained(ctx context.Context, op string, script *redis.Script, keys []string, args []any, rec screening.AuditRecord) (screening.AuditRecord, []any, error) {
	if err := s.open(op); err != nil {
		return rec, nil, err
	}
	if rec.At.IsZero() {
		rec.At = s.now()
	}
	w := &chainWrite{ctx: ctx, op: op, script: script, rec: rec, args: args, done: make(chan struct{}),
		keys: append([]string{s.k("audit.head"), s.k("audit")}, keys...)}
	s.chain.run(w, w.done)
	return w.sealed, w.reply, w.err
}

// sendBatch is the store drainer's send: one batch of the audit-chained
// writes and one of the history look-ups, in one pipeline. The batch is many
// callers' work, so it runs on a context of its own.
func (s *Store) sendBatch() {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	chain := s.takeChainBatch(ctx)
	scripts := s.scripts.takeBatch()
	if chain == nil && scripts == nil {
		return
	}
	_, _ = s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		if chain != nil {
			chain.queue(ctx, p)
		}
		if scripts != nil {
			scripts.queue(ctx, p)
		}
		return nil
	})
	if chain != nil {
		s.settleChainBatch(ctx, chain)
	}
	if scripts != nil {
		scripts.settle(ctx)
	}
}

// chainBatch is the writes of one batch, sealed in turn, on their way.
type chainBatch []sentWrite

// sentWrite is a write sealed on the head the one before it in its batch
// makes.
type sentWrite struct {
	w       *chainWrite
	sealed  screening.AuditRecord
	newHead string
	cmd     *redis.Cmd
}

// queue puts the batch's scripts in p, in order.
func (b chainBatch) queue(ctx context.Context, p redis.Pipeliner) {
	for i := range b {
		b[i].cmd = b[i].w.script.EvalSha(ctx, p, b[i].w.keys, b[i].w.args...)
	}
}

// takeChainBatch takes up to maxChainBatch queued writes and seals them on
// the head in turn (nil: none to send).
func (s *Store) takeChainBatch(ctx context.Context) chainBatch {
	cw := &s.chain
	batch := cw.take(maxChainBatch, func(w *chainWrite) bool {
		if err := w.ctx.Err(); err != nil {
			w.finish(w.rec, nil, fmt.Errorf("redisstore: %s: %w", w.op, err))
			return true
		}
		return false
	})
	if len(batch) == 0 {
		return nil
	}
	if !cw.headKnown {
		head, err := s.c.Get(ctx, s.k("audit.head")).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			for _, w := range batch {
				w.finish(w.rec, nil, s.fail(w.op, err))
			}
			return nil
		}
		cw.head, cw.headKnown = head, true
	}

	// Seal each write on the head the one before it makes.
	out := make(chainBatch, 0, len(batch))
	head := cw.head
	for _, w := range batch {
		prev, err := parseHead(head)
		if err != nil {
			cw.headKnown = false
			w.finish(w.rec, nil, fmt.Errorf("redisstore: %s: %w", w.op, err))
			continue
		}
		sealed := w.rec
		sealed.Seal(prev)
		recJSON, err := json.Marshal(storedAudit{sealed.Seq, sealed.At, sealed.Kind, sealed.Actor, sealed.Subject, sealed.Data, sealed.PrevHash, sealed.Hash})
		if err != nil {
			w.finish(w.rec, nil, fmt.Errorf("redisstore: %s: encode audit record: %w", w.op, err))
			continue
		}
		newHead := strconv.FormatUint(sealed.Seq, 10) + " " + sealed.Hash
		out = append(out, sentWrite{w: w, sealed: sealed, newHead: newHead})
		w.args = append([]any{head, newHead, sealed.Seq, recJSON}, w.args...)
		head = newHead
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// settleChainBatch reads the replies of a sent batch and finishes its
// writes. Writes the chain check turned away go back to the front of the
// queue, sealed afresh next time.
func (s *Store) settleChainBatch(ctx context.Context, out chainBatch) {
	cw := &s.chain
	// The scripts ran in order. Follow the head through their replies: it
	// moves on each "ok", a "stale" reply names it, a refusal leaves it.
	var again []*chainWrite
	retry := func(x sentWrite) {
		x.w.args = x.w.args[4:]
		x.w.tries++
		if x.w.tries >= maxChainRetries {
			x.w.finish(x.w.rec, nil, fmt.Errorf("redisstore: %s: the audit chain moved %d times in a row; giving up", x.w.op, maxChainRetries))
			return
		}
		again = append(again, x.w)
	}
	head := cw.head
	loaded := map[*redis.Script]bool{}
	for _, x := range out {
		reply, err := x.cmd.Slice()
		switch {
		case noScript(err):
			// The server forgot the script (restart, failover): load it and
			// send the write again; it did not run.
			if !loaded[x.w.script] {
				if lerr := x.w.script.Load(ctx, s.c).Err(); lerr != nil {
					cw.headKnown = false
					x.w.finish(x.w.rec, nil, s.fail(x.w.op, lerr))
					continue
				}
				loaded[x.w.script] = true
			}
			retry(x)
		case err != nil:
			// Unreachable, or the script failed: it may or may not have run.
			cw.headKnown = false
			x.w.finish(x.w.rec, nil, s.fail(x.w.op, err))
		case len(reply) == 0:
			x.w.finish(x.w.rec, nil, fmt.Errorf("redisstore: %s: empty script reply", x.w.op))
		case reply[0] == "stale" && len(reply) == 2:
			head, _ = reply[1].(string)
			retry(x)
		case reply[0] == "ok":
			head = x.newHead
			x.w.finish(x.sealed, reply, nil)
		default:
			x.w.finish(x.w.rec, reply, nil)
		}
	}
	cw.head = head
	if len(again) > 0 {
		cw.requeue(again)
	}
}
