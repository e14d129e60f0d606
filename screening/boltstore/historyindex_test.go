package boltstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

var pendingBase = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func openTemp(t *testing.T) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "hikiai.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func pendingEntryFor(kind, key, id string, at time.Time) screening.HistoryEntry {
	return screening.HistoryEntry{Kind: kind, Key: key, ScreeningID: id, At: at, Name: "Acme " + id}
}

// committed counts the history records in bbolt once the saves made so far
// are applied, and the counterparties SeenCounterparties reports.
func committed(t *testing.T, st *Store) (history, seen int) {
	t.Helper()
	if err := st.settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := st.db.View(func(tx *bolt.Tx) error {
		history = tx.Bucket(bHistoryLog).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.SeenCounterparties(context.Background(), time.Time{}, func(screening.HistoryEntry) error { seen++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return history, seen
}

func saveFor(t *testing.T, st *Store, id string, at time.Time) error {
	t.Helper()
	s := &screening.Screening{Result: screening.Result{ID: id, ScreenedAt: at}, KeyID: "key_1", CustomerKey: "acme"}
	return st.SaveScreening(context.Background(), s, nil, screening.NewAuditRecord(at, screening.AuditScreening, "key_1", id, nil))
}

func TestHistoryCommitsWithItsScreening(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	entries := []screening.HistoryEntry{
		pendingEntryFor(screening.HistoryCounterparty, "acme", "scr_1", pendingBase),
		pendingEntryFor(screening.HistoryProduct, "MC-5X200", "scr_1", pendingBase),
	}
	if _, err := st.RecordHistory(ctx, entries, 10); err != nil {
		t.Fatal(err)
	}
	if h, _ := committed(t, st); h != 0 {
		t.Fatalf("%d history entries on disk before the screening was saved, want 0 (they commit with it)", h)
	}
	if err := saveFor(t, st, "scr_1", pendingBase); err != nil {
		t.Fatal(err)
	}
	if h, seen := committed(t, st); h != 2 || seen != 1 {
		t.Errorf("after the save: %d history entries and %d last-seen records on disk, want 2 and 1", h, seen)
	}
	if st.history.anyPending() {
		t.Error("entries are still pending after their screening's commit")
	}
	got, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryProduct, "MC-5X200", "scr_2", pendingBase)}, 10)
	if err != nil || len(got[0]) != 1 || got[0][0].ScreeningID != "scr_1" {
		t.Errorf("a later screening sees %+v, %v; want scr_1 once", got, err)
	}
}

func TestHistoryWithoutScreeningIsFlushed(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryCounterparty, "acme", "scr_orphan", pendingBase)}, 10); err != nil {
		t.Fatal(err)
	}
	// The flusher writes it once it is flushAfter old; poll, do not sleep a fixed time.
	deadline := time.Now().Add(10 * flushAfter)
	for {
		if h, seen := committed(t, st); h == 1 && seen == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("history of a screening that was never saved is not on disk after %v", 10*flushAfter)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.history.anyPending() {
		t.Error("flushed entries are still pending")
	}
}

func TestForgottenPendingHistoryIsNeverWritten(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	e := pendingEntryFor(screening.HistoryCounterparty, "acme", "scr_failed", pendingBase)
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{e}, 10); err != nil {
		t.Fatal(err)
	}
	if err := st.ForgetHistory(ctx, []screening.HistoryEntry{e}); err != nil {
		t.Fatal(err)
	}
	if err := st.flushHistory(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if h, seen := committed(t, st); h != 0 || seen != 0 {
		t.Errorf("forgotten entry written: %d history entries, %d last-seen records", h, seen)
	}
	got, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryCounterparty, "acme", "scr_next", pendingBase)}, 10)
	if err != nil || len(got[0]) != 0 {
		t.Errorf("next screening sees %+v, %v; want nothing", got, err)
	}
}

func TestCloseWritesPendingHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hikiai.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryProduct, "P", "scr_1", pendingBase)}, 10); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openAgain(t, path)
	got, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryProduct, "P", "scr_2", pendingBase)}, 10)
	if err != nil || len(got[0]) != 1 {
		t.Errorf("after reopen: %+v, %v; want scr_1", got, err)
	}
}

func openAgain(t *testing.T, path string) *Store {
	t.Helper()
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestRacingScreeningsSeeEachOtherOnce races screenings on one key that each
// record and then save at once, so that commits and removals from the
// pending set interleave with other screenings' reads. Of any two, exactly
// one must see the other: never both (a reader that saw a later screening
// committed) and never neither.
func TestRacingScreeningsSeeEachOtherOnce(t *testing.T) {
	st := openTemp(t)
	// Widen the gap between the index look-up and the fetch, so that other
	// screenings record and commit inside it.
	st.beforeHistoryRead = func() { time.Sleep(time.Duration(rand.IntN(8)) * time.Millisecond) }
	const rounds, n = 10, 24
	for r := range rounds {
		seen := make([]map[string]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				id := fmt.Sprintf("scr_%d_%02d", r, i)
				at := pendingBase.Add(time.Duration(r) * time.Hour)
				e := pendingEntryFor(screening.HistoryProduct, fmt.Sprintf("HOT-%d", r), id, at)
				res, err := st.RecordHistory(context.Background(), []screening.HistoryEntry{e}, n)
				if err != nil {
					errs[i] = err
					return
				}
				seen[i] = map[string]bool{}
				for _, h := range res[0] {
					if seen[i][h.ScreeningID] {
						errs[i] = fmt.Errorf("%s sees %s twice", id, h.ScreeningID)
					}
					seen[i][h.ScreeningID] = true
				}
				if err := saveFor(t, st, id, at); err != nil {
					errs[i] = err
				}
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := range n {
			for j := i + 1; j < n; j++ {
				a, b := fmt.Sprintf("scr_%d_%02d", r, i), fmt.Sprintf("scr_%d_%02d", r, j)
				if seen[i][b] == seen[j][a] {
					t.Errorf("%s sees %s: %v, %s sees %s: %v; want exactly one", a, b, seen[i][b], b, a, seen[j][a])
				}
			}
		}
	}
}

// TestPendingAndCommittedInterleave: a reader gets one list, newest first,
// whether each entry is still pending or already committed.
func TestPendingAndCommittedInterleave(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	at := func(h int) time.Time { return pendingBase.Add(time.Duration(h) * time.Hour) }
	steps := []struct {
		id   string
		hour int
		save bool
	}{{"scr_a", 1, true}, {"scr_b", 4, false}, {"scr_c", 2, true}, {"scr_d", 3, false}, {"scr_e", 0, false}}
	for _, s := range steps {
		if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryProduct, "P", s.id, at(s.hour))}, 10); err != nil {
			t.Fatal(err)
		}
		if s.save {
			if err := saveFor(t, st, s.id, at(s.hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, limit := range []int{10, 3} {
		got, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryProduct, "P", fmt.Sprintf("scr_z%d", limit), at(5))}, limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range got[0] {
			ids = append(ids, e.ScreeningID)
		}
		want := []string{"scr_z10", "scr_b", "scr_d", "scr_c", "scr_a", "scr_e"}
		if limit == 10 {
			want = want[1:]
		} else {
			want = want[:limit]
		}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("limit %d: got %v, want %v", limit, ids, want)
		}
	}
}

func TestForgetCommittedHistory(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	e := pendingEntryFor(screening.HistoryCounterparty, "acme", "scr_1", pendingBase)
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{e}, 10); err != nil {
		t.Fatal(err)
	}
	if err := saveFor(t, st, "scr_1", pendingBase); err != nil {
		t.Fatal(err)
	}
	if h, _ := committed(t, st); h != 1 {
		t.Fatalf("%d records after the save, want 1", h)
	}
	if err := st.ForgetHistory(ctx, []screening.HistoryEntry{e}); err != nil {
		t.Fatal(err)
	}
	if h, seen := committed(t, st); h != 0 || seen != 0 {
		t.Errorf("after ForgetHistory: %d records, %d counterparties seen; want none", h, seen)
	}
}

// TestHistoryOfTheOlderLayoutMoves: a store written before the log kept
// history per key (JSON, later binary) with two "last seen" buckets. Opening
// it moves every entry into the log and empties the old buckets.
func TestHistoryOfTheOlderLayoutMoves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hikiai.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := []screening.HistoryEntry{
		pendingEntryFor(screening.HistoryCounterparty, "acme", "scr_old1", pendingBase),
		pendingEntryFor(screening.HistoryCounterparty, "acme", "scr_old2", pendingBase.Add(time.Hour)),
		pendingEntryFor(screening.HistoryProduct, "MC-5X200", "scr_old1", pendingBase),
	}
	err = st.db.Update(func(tx *bolt.Tx) error {
		hb := tx.Bucket(bHistory)
		for i := range old {
			e := &old[i]
			value := encodeHistory(e)
			if i == 0 {
				value = []byte(`{"kind":"` + e.Kind + `","key":"acme","screening_id":"scr_old1","at":"2026-11-02T09:00:00Z","name":"Acme scr_old1"}`)
			}
			key := cat(lp(e.Kind), lp(e.Key), timeKey(e.At), []byte(e.ScreeningID), []byte{0}, []byte("hash0000"))
			if err := hb.Put(key, value); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bSeenLatest).Put([]byte("acme"), []byte("x")); err != nil {
			return err
		}
		return tx.Bucket(bSeenAt).Put([]byte("x"), []byte{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openAgain(t, path)
	ctx := context.Background()
	got, err := st.RecordHistory(ctx, []screening.HistoryEntry{
		pendingEntryFor(screening.HistoryCounterparty, "acme", "scr_new", pendingBase.Add(2*time.Hour)),
		pendingEntryFor(screening.HistoryProduct, "MC-5X200", "scr_new", pendingBase.Add(2*time.Hour)),
	}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range got {
		for _, e := range l {
			ids = append(ids, e.ScreeningID+"@"+e.At.Format("15:04"))
		}
	}
	if want := "[scr_old2@10:00 scr_old1@09:00 scr_old1@09:00]"; fmt.Sprint(ids) != want {
		t.Errorf("after the move, a new screening sees %v, want %s", ids, want)
	}
	err = st.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bHistory, bSeenLatest, bSeenAt} {
			if n := tx.Bucket(name).Stats().KeyN; n != 0 {
				t.Errorf("bucket %s still holds %d keys", name, n)
			}
		}
		if n := tx.Bucket(bHistoryLog).Stats().KeyN; n != 3 {
			t.Errorf("the log holds %d records, want 3", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPendingHistoryIsBounded: a caller that records far more history than
// it saves screenings does not keep it all in memory.
func TestPendingHistoryIsBounded(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	const calls, per = 30, 5000
	for c := range calls {
		batch := make([]screening.HistoryEntry, per)
		for i := range batch {
			batch[i] = pendingEntryFor(screening.HistoryContact, fmt.Sprintf("phone:%d", c*per+i), fmt.Sprintf("scr_%d_%d", c, i), pendingBase)
		}
		if _, err := st.RecordHistory(ctx, batch, 1); err != nil {
			t.Fatal(err)
		}
		if n := st.history.pendingCount(); n > maxPending+per {
			t.Fatalf("after %d calls, %d entries are pending; want at most %d", c+1, n, maxPending+per)
		}
	}
	if h, _ := committed(t, st); h < calls*per-maxPending-per {
		t.Errorf("%d of %d entries on disk", h, calls*per)
	}
}

// TestHistoryAfterACrash copies the store's files while the store is still
// open (what a killed process leaves behind) and opens the copy: the history
// of a saved screening is there, and that of a screening never saved is not.
// The save is held in the journal, as a crash right after it would find it.
func TestHistoryAfterACrash(t *testing.T) {
	st := openTemp(t)
	st.unapplied.paused.Store(true)
	ctx := context.Background()
	saved := pendingEntryFor(screening.HistoryProduct, "MC-5X200", "scr_saved", pendingBase)
	unsaved := pendingEntryFor(screening.HistoryProduct, "MC-5X200", "scr_unsaved", pendingBase.Add(time.Minute))
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{saved}, 10); err != nil {
		t.Fatal(err)
	}
	if err := saveFor(t, st, "scr_saved", pendingBase); err != nil {
		t.Fatal(err)
	}
	// No flush may write the unsaved entry before the "crash", however slow
	// the machine: stop the flusher (Close then finds it stopped).
	close(st.stopFlush)
	<-st.flushDone
	st.stopFlush = make(chan struct{})
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{unsaved}, 10); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "crashed.db")
	copyFiles(t, st.Path(), copyPath)
	after := openAgain(t, copyPath)
	got, err := after.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryProduct, "MC-5X200", "scr_next", pendingBase.Add(time.Hour))}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got[0] {
		ids = append(ids, e.ScreeningID)
	}
	if fmt.Sprint(ids) != "[scr_saved]" {
		t.Errorf("after the crash a new screening sees %v, want [scr_saved]", ids)
	}
}

// copyFiles copies the store at from (the bbolt file and the journal) to to,
// as a crash leaves them.
func copyFiles(t *testing.T, from, to string) {
	t.Helper()
	src, dst := journalPaths(from), journalPaths(to)
	for i, p := range append([]string{from}, src[:]...) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		target := to
		if i > 0 {
			target = dst[i-1]
		}
		if err := os.WriteFile(target, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHistoryKeysThatCollide: the index knows kind and key by a 64-bit hash.
// With every key forced onto one hash, a look-up still returns only entries
// of its own kind and key, pending and committed alike, and forgetting one
// key's entry leaves the others.
func TestHistoryKeysThatCollide(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "hikiai.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.history.keyOf = func(kind, key string) uint64 { return 42 }
	ctx := context.Background()
	keys := []struct{ kind, key string }{
		{screening.HistoryProduct, "code:mx-100"},
		{screening.HistoryProduct, "code:cf-7"},
		{screening.HistoryCounterparty, "code:mx-100"},
	}
	for i := range 6 {
		k := keys[i%len(keys)]
		id := fmt.Sprintf("scr_%d", i)
		at := pendingBase.Add(time.Duration(i) * time.Minute)
		if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(k.kind, k.key, id, at)}, 100); err != nil {
			t.Fatal(err)
		}
		if i < 3 { // the first round committed, the second pending
			if err := saveFor(t, st, id, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.settle(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		got, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(k.kind, k.key, "probe", pendingBase)}, 100)
		if err != nil {
			t.Fatal(err)
		}
		st.history.drop(st.history.forScreening("probe"))
		if len(got[0]) != 2 {
			t.Errorf("%s %s: %d entries, want 2 (its own): %+v", k.kind, k.key, len(got[0]), got[0])
		}
		for _, e := range got[0] {
			if e.Kind != k.kind || e.Key != k.key {
				t.Errorf("%s %s: got an entry of %s %s", k.kind, k.key, e.Kind, e.Key)
			}
		}
	}
	var seen []string
	err = st.SeenCounterparties(ctx, pendingBase.Add(-time.Hour), func(e screening.HistoryEntry) error {
		seen = append(seen, e.Kind+" "+e.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Colliding with a newer key, the counterparty may go unseen (one chance
	// in millions at millions of keys); another kind's entry must never show.
	for _, s := range seen {
		if s != screening.HistoryCounterparty+" code:mx-100" {
			t.Errorf("SeenCounterparties gave %v", seen)
		}
	}
}
