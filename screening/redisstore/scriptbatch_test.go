package redisstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/redisstore"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
)

// TestHistoryBatchesConcurrentScreenings: the history look-ups of
// concurrent screenings share round trips, and sharing them changes nothing
// a screening sees. Every screening records on one product (a transaction),
// on its own counterparty (the counterparty index's script) and on one phone
// number leaving out its own company (the history script); the scripts were
// flushed from the server, so the first batches load them again. Of any two
// screenings on the product or the phone, the later sees the earlier. Every
// sixteenth screening also records on a key that holds a value of the wrong
// type: it fails, leaves nothing behind, and fails no other screening of its
// batch.
func TestHistoryBatchesConcurrentScreenings(t *testing.T) {
	addr := redistest.Addr(t)
	prefix := redistest.Prefix(t, addr)
	hook := &slowPipelines{delay: 3 * time.Millisecond, also: []string{"zadd"}}
	client := redistest.NewClient(t, addr)
	client.AddHook(hook)
	st := redisstore.New(client, redisstore.Options{Prefix: prefix})
	ctx := t.Context()

	const broken = "phone:+000"
	if err := client.Set(ctx, prefix+"{h:"+screening.HistoryContact+":"+broken+"}", "not a sorted set", 0).Err(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	entries := func(n int) []screening.HistoryEntry {
		id := fmt.Sprintf("scr_%04d", n)
		company := fmt.Sprintf("company %d", n)
		e := func(kind, key string, othersOnly bool) screening.HistoryEntry {
			return screening.HistoryEntry{Kind: kind, Key: key, ScreeningID: id, At: at.Add(time.Duration(n) * time.Millisecond),
				Party: screening.RoleCustomer, Name: company, NameKey: company, OthersOnly: othersOnly}
		}
		es := []screening.HistoryEntry{
			e(screening.HistoryProduct, "P1", false),
			e(screening.HistoryCounterparty, company, false),
			e(screening.HistoryContact, "phone:+8100", true),
		}
		if n%16 == 15 {
			es = append(es, e(screening.HistoryContact, broken, false))
		}
		return es
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Skipf("SCRIPT FLUSH refused: %v", err)
	}

	const writers, perWriter = 48, 8
	const total = writers * perWriter
	var mu sync.Mutex
	sawProduct := map[string]map[string]bool{} // screening -> screenings it saw on P1
	sawPhone := map[string]map[string]bool{}
	failed := map[string]bool{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range writers {
		wg.Go(func() {
			<-start
			for i := range perWriter {
				n := g*perWriter + i
				es := entries(n)
				id := es[0].ScreeningID
				got, err := st.RecordHistory(ctx, es, 1000)
				mu.Lock()
				switch {
				case n%16 == 15 && err == nil:
					t.Errorf("%s recorded on a key of the wrong type without an error", id)
				case n%16 == 15:
					failed[id] = true
				case err != nil:
					t.Errorf("%s: %v", id, err)
				default:
					sawProduct[id], sawPhone[id] = map[string]bool{}, map[string]bool{}
					for _, h := range got[0] {
						sawProduct[id][h.ScreeningID] = true
					}
					for _, h := range got[2] {
						sawPhone[id][h.ScreeningID] = true
					}
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}
	if len(failed) != total/16 || len(sawProduct) != total-total/16 {
		t.Fatalf("%d screenings failed and %d succeeded, want %d and %d", len(failed), len(sawProduct), total/16, total-total/16)
	}
	for a := range sawProduct {
		for b := range sawProduct {
			if a < b && !sawProduct[a][b] && !sawProduct[b][a] {
				t.Errorf("neither %s nor %s saw the other on the product", a, b)
			}
			if a < b && !sawPhone[a][b] && !sawPhone[b][a] {
				t.Errorf("neither %s nor %s saw the other on the phone", a, b)
			}
		}
	}
	// What the failed screenings recorded was taken back.
	later := entries(total)
	got, err := st.RecordHistory(ctx, later[:3], 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0]) != len(sawProduct) || len(got[2]) != len(sawProduct) {
		t.Errorf("a later screening sees %d on the product and %d on the phone, want %d each", len(got[0]), len(got[2]), len(sawProduct))
	}
	for _, h := range append(got[0], got[2]...) {
		if failed[h.ScreeningID] {
			t.Errorf("a later screening sees history of the failed %s", h.ScreeningID)
		}
	}
	// 384 screenings at 3 ms a round trip: one round trip each would be 384;
	// shared, a few dozen (the reloads of the flushed scripts included).
	if p := hook.pipelines.Load(); p > total/4 {
		t.Errorf("%d screenings took %d round trips: their look-ups were not batched", total, p)
	}
	t.Logf("%d screenings in %d history round trips", total, hook.pipelines.Load())
}

// A look-up whose context ended before its batch went out is not sent: it
// records nothing.
func TestHistorySkipsCancelledCall(t *testing.T) {
	st, _, _ := newStore(t)
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	e := func(id string) []screening.HistoryEntry {
		return []screening.HistoryEntry{{Kind: screening.HistoryProduct, Key: "P1", ScreeningID: id, At: at}}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := st.RecordHistory(ctx, e("scr_cancelled"), 10); err == nil {
		t.Fatal("RecordHistory with a cancelled context succeeded")
	}
	got, err := st.RecordHistory(t.Context(), e("scr_later"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0]) != 0 {
		t.Errorf("a later screening sees %+v", got[0])
	}
}
