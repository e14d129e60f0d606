package boltstore

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

func TestRecordCache(t *testing.T) {
	rec := func(seq uint64, n int) []byte { return []byte(fmt.Sprintf("%0*d", n, seq)) }
	tests := []struct {
		name    string
		half    int
		puts    []uint64 // each record is 10 bytes
		forget  []uint64
		kept    []uint64
		dropped []uint64
	}{
		{name: "fits", half: 40, puts: []uint64{1, 2, 3}, kept: []uint64{1, 2, 3}},
		{name: "first roll keeps the full half", half: 30, puts: []uint64{1, 2, 3, 4}, kept: []uint64{1, 2, 3, 4}},
		{name: "second roll drops the oldest half", half: 30, puts: []uint64{1, 2, 3, 4, 5, 6, 7},
			kept: []uint64{4, 5, 6, 7}, dropped: []uint64{1, 2, 3}},
		{name: "forget", half: 30, puts: []uint64{1, 2, 3, 4}, forget: []uint64{2, 4},
			kept: []uint64{1, 3}, dropped: []uint64{2, 4}},
		{name: "a record larger than a half is not kept", half: 8, puts: []uint64{1}, dropped: []uint64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newRecordCache(tt.half)
			for _, seq := range tt.puts {
				c.put(seq, rec(seq, 10))
			}
			for _, seq := range tt.forget {
				c.forget(seq)
			}
			for _, seq := range tt.kept {
				if got, ok := c.get(seq); !ok || got != string(rec(seq, 10)) {
					t.Errorf("get(%d) = %q, %v; want %q", seq, got, ok, rec(seq, 10))
				}
			}
			for _, seq := range tt.dropped {
				if got, ok := c.get(seq); ok {
					t.Errorf("get(%d) = %q, want it dropped", seq, got)
				}
			}
			if c.len() != len(tt.kept) {
				t.Errorf("len = %d, want %d", c.len(), len(tt.kept))
			}
		})
	}
}

// A record get returned must not change while the cache goes on: not when
// its half is dropped, not when the caller's slice given to put changes.
func TestRecordCacheStringsStay(t *testing.T) {
	c := newRecordCache(4)
	in := []byte("aaaa")
	c.put(1, in)
	in[0] = 'X' // the cache keeps its own bytes
	got, _ := c.get(1)
	for seq, rec := range []string{"bbbb", "cccc", "dddd", "eeee"} {
		c.put(uint64(seq+2), []byte(rec)) // rolls the halves over and over
	}
	if got != "aaaa" {
		t.Errorf("record changed to %q", got)
	}
	if _, ok := c.get(1); ok {
		t.Error("record 1 still kept after two rolls")
	}
	if got, _ := c.get(5); got != "eeee" {
		t.Errorf("get(5) = %q", got)
	}
}

// TestCachedHistoryReadsAsLogged: entries found in the record cache read the
// same as the ones fetched from the log after a reopen (cache empty).
func TestCachedHistoryReadsAsLogged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hikiai.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 20 {
		id := fmt.Sprintf("scr_%d", i)
		at := pendingBase.Add(time.Duration(i) * time.Minute)
		e := pendingEntryFor(screening.HistoryProduct, "code:mx-100", id, at)
		e.Reference, e.NameKey, e.Country, e.Value, e.Party = "PO-"+id, "acme "+id, "CN", "MX-100", "customer"
		if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{e}, 100); err != nil {
			t.Fatal(err)
		}
		if err := saveFor(t, st, id, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.settle(ctx); err != nil {
		t.Fatal(err)
	}
	look := func(st *Store, id string) []screening.HistoryEntry {
		t.Helper()
		got, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryProduct, "code:mx-100", id, pendingBase)}, 100)
		if err != nil {
			t.Fatal(err)
		}
		st.history.drop(st.history.forScreening(id)) // the probe is not saved
		return got[0]
	}
	cached := st.history.stripeOf(st.history.keyOf(screening.HistoryProduct, "code:mx-100")).cache.len()
	fromCache := look(st, "probe_1")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := st.history.stripeOf(st.history.keyOf(screening.HistoryProduct, "code:mx-100")).cache.len(); n != 0 {
		t.Fatalf("%d records cached after reopening, want 0", n)
	}
	fromLog := look(st, "probe_1")
	if cached != 20 {
		t.Errorf("%d records cached after the saves, want 20", cached)
	}
	if len(fromCache) != 20 || !reflect.DeepEqual(fromCache, fromLog) {
		t.Errorf("from the cache:\n%+v\nfrom the log:\n%+v", fromCache, fromLog)
	}
}
