package redisstore_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/redisstore"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
	"github.com/hikiai/hikiai/screening/storetest"
	"github.com/redis/go-redis/v9"
)

// slowPipelines stands in for the fsync turn of appendfsync always: each
// round trip that runs scripts (or any of the commands named in also) waits
// a little, and is counted.
type slowPipelines struct {
	delay     time.Duration
	also      []string     // more commands that make a round trip slow, lower case
	scripts   atomic.Int64 // EVALSHA commands sent
	pipelines atomic.Int64 // round trips that carried at least one slow command
}

func (h *slowPipelines) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *slowPipelines) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h *slowPipelines) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		n, slow := 0, false
		for _, c := range cmds {
			name := strings.ToLower(c.Name())
			if name == "evalsha" {
				n++
			}
			slow = slow || name == "evalsha" || slices.Contains(h.also, name)
		}
		h.scripts.Add(int64(n))
		if slow {
			h.pipelines.Add(1)
			time.Sleep(h.delay)
		}
		return next(ctx, cmds)
	}
}

func saveArgs(id, ref string, at time.Time) (*screening.Screening, screening.AuditRecord) {
	s := &screening.Screening{Result: screening.Result{ID: id, Reference: ref, ScreenedAt: at}, KeyID: "key_1", CustomerKey: "acme"}
	return s, screening.NewAuditRecord(at, screening.AuditScreening, "key_1", id, map[string]string{"reference": ref})
}

// TestChainBatchesConcurrentSaves: saves that arrive together share round
// trips, and the chain stays whole. Every sixteenth save repeats a reference
// another save used, so refusals sit in the middle of batches (the writes
// after one must be sealed again), and a second replica appends to the same
// chain meanwhile (its writes move the head under the first one's batches).
func TestChainBatchesConcurrentSaves(t *testing.T) {
	addr := redistest.Addr(t)
	prefix := redistest.Prefix(t, addr)
	hook := &slowPipelines{delay: 3 * time.Millisecond}
	client := redistest.NewClient(t, addr)
	client.AddHook(hook)
	st := redisstore.New(client, redisstore.Options{Prefix: prefix})
	other := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: prefix})

	const writers, perWriter = 48, 8
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	var saved, refused, otherSaved atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range writers {
		wg.Go(func() {
			<-start
			for i := range perWriter {
				n := g*perWriter + i
				ref := fmt.Sprintf("ref-%d", n)
				if n%16 == 15 {
					ref = fmt.Sprintf("ref-%d", n-1) // the same key sent it already (or is sending it now)
				}
				scr, audit := saveArgs(fmt.Sprintf("scr_%04d", n), ref, at.Add(time.Duration(n)*time.Millisecond))
				err := st.SaveScreening(t.Context(), scr, nil, audit)
				switch screening.ErrorCode(err) {
				case "":
					saved.Add(1)
				case screening.ECONFLICT:
					refused.Add(1)
				default:
					t.Errorf("save %s: %v", scr.ID, err)
				}
			}
		})
	}
	wg.Go(func() {
		<-start
		for range 40 {
			if _, err := other.AppendAudit(t.Context(), screening.NewAuditRecord(at, screening.AuditRescreen, "system", "x", nil)); err != nil {
				t.Error(err)
				return
			}
			otherSaved.Add(1)
		}
	})
	close(start)
	wg.Wait()

	const total = writers * perWriter
	if saved.Load()+refused.Load() != total || refused.Load() != total/16 {
		t.Errorf("%d saved and %d refused, want %d and %d", saved.Load(), refused.Load(), total-total/16, total/16)
	}
	wholeChain(t, st, int(saved.Load()+otherSaved.Load())) // one record per save that succeeded
	// 384 writes at 3 ms a round trip: sent one by one they would need 384
	// round trips; batched, a few dozen at most (retries included).
	if p, n := hook.pipelines.Load(), hook.scripts.Load(); p > total/4 {
		t.Errorf("%d round trips carried %d scripts for %d saves: the saves were not batched", p, n, total)
	}
	t.Logf("%d saves in %d round trips (%d scripts sent)", total, hook.pipelines.Load(), hook.scripts.Load())
}

// A save whose context ended before its batch went out is not written: no
// screening and no audit record.
func TestChainSkipsCancelledWrite(t *testing.T) {
	st, _, _ := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	scr, audit := saveArgs("scr_cancelled", "ref-c", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	if err := st.SaveScreening(ctx, scr, nil, audit); err == nil {
		t.Fatal("save with a cancelled context succeeded")
	}
	if _, err := st.Screening(t.Context(), scr.ID); screening.ErrorCode(err) != screening.ENOTFOUND {
		t.Errorf("the cancelled save was stored: %v", err)
	}
	if recs, err := st.Audit(t.Context(), screening.AuditFilter{}); err != nil || len(recs) != 0 {
		t.Errorf("audit after the cancelled save: %d records, %v", len(recs), err)
	}
}

// After SCRIPT FLUSH, a batch of chained writes loads its script and sends
// the writes again; none is lost or written twice.
func TestChainScriptFlushed(t *testing.T) {
	st, c, _ := newStore(t)
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	scr, audit := saveArgs("scr_first", "ref-first", at)
	if err := st.SaveScreening(t.Context(), scr, nil, audit); err != nil {
		t.Fatal(err)
	}
	if err := c.ScriptFlush(t.Context()).Err(); err != nil {
		t.Skipf("SCRIPT FLUSH refused: %v", err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			scr, audit := saveArgs(fmt.Sprintf("scr_%02d", i), fmt.Sprintf("ref-%d", i), at.Add(time.Duration(i)*time.Second))
			if err := st.SaveScreening(t.Context(), scr, nil, audit); err != nil {
				t.Errorf("save after SCRIPT FLUSH: %v", err)
			}
		})
	}
	wg.Wait()
	wholeChain(t, st, 17)
}

// When Redis goes away mid-batch, every write of the batch fails as
// unavailable (none hangs), and the next write re-reads the head.
func TestChainUnreachable(t *testing.T) {
	addr := redistest.Addr(t)
	prefix := redistest.Prefix(t, addr)
	// A proxy the test can cut.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", addr)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			go func() { _, _ = io.Copy(out, in) }()
			go func() { _, _ = io.Copy(in, out) }()
		}
	}()
	cut := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), MaxRetries: -1, DialerRetries: 1, PoolSize: 64})
	t.Cleanup(func() { _ = client.Close(); ln.Close(); cut() })
	st := redisstore.New(client, redisstore.Options{Prefix: prefix})
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	scr, audit := saveArgs("scr_before", "ref-before", at)
	if err := st.SaveScreening(t.Context(), scr, nil, audit); err != nil {
		t.Fatal(err)
	}
	ln.Close() // no new connections
	cut()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			scr, audit := saveArgs(fmt.Sprintf("scr_down_%d", i), fmt.Sprintf("ref-down-%d", i), at)
			if err := st.SaveScreening(t.Context(), scr, nil, audit); screening.ErrorCode(err) != screening.EUNAVAILABLE {
				t.Errorf("save with Redis gone: %v, want code %s", err, screening.EUNAVAILABLE)
			}
		})
	}
	wg.Wait()
	// The same prefix through a working client: the chain holds the one record.
	back := redisstore.New(redistest.NewClient(t, addr), redisstore.Options{Prefix: prefix})
	scr, audit = saveArgs("scr_after", "ref-after", at)
	if err := back.SaveScreening(t.Context(), scr, nil, audit); err != nil {
		t.Fatal(err)
	}
	wholeChain(t, back, 2)
}

// wholeChain fails the test unless the store's audit chain verifies and holds
// want records.
func wholeChain(t *testing.T, st *redisstore.Store, want int) {
	t.Helper()
	if recs := storetest.AllAudit(t, st); len(recs) != want {
		t.Errorf("%d audit records, want %d", len(recs), want)
	}
}
