package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

func historyEntry(kind, key, screeningID string, at time.Time) screening.HistoryEntry {
	return screening.HistoryEntry{
		Kind: kind, Key: key, ScreeningID: screeningID, Reference: "ref-" + screeningID, At: at,
		Party: screening.RoleCustomer, Name: "Name of " + screeningID, NameKey: "name " + screeningID,
		Country: "CN", Value: "+86 10 1234 " + screeningID,
	}
}

func record(t *testing.T, st screening.Store, limit int, entries ...screening.HistoryEntry) [][]screening.HistoryEntry {
	t.Helper()
	got, err := st.RecordHistory(ctxFor(t), entries, limit)
	if err != nil {
		t.Fatalf("RecordHistory: %v", err)
	}
	if len(got) != len(entries) {
		t.Fatalf("RecordHistory returned %d result lists for %d entries", len(got), len(entries))
	}
	return got
}

func historyIDs(es []screening.HistoryEntry) []string {
	return ids(es, func(e screening.HistoryEntry) string { return e.ScreeningID })
}

func testHistory(t *testing.T, f Factory) {
	t.Run("Windows", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		const k = "MC-5X200"
		prior := []screening.HistoryEntry{
			historyEntry(screening.HistoryProduct, k, "scr_m3h", base.Add(-3*time.Hour)),
			historyEntry(screening.HistoryProduct, k, "scr_m90", base.Add(-90*time.Minute)), // on the edge: inside
			historyEntry(screening.HistoryProduct, k, "scr_m1h", base.Add(-time.Hour)),
			historyEntry(screening.HistoryProduct, k, "scr_0", base),
			historyEntry(screening.HistoryProduct, k, "scr_p30", base.Add(30*time.Minute)), // later inquiry recorded earlier
			historyEntry(screening.HistoryProduct, k, "scr_p91", base.Add(91*time.Minute)), // just outside
			historyEntry(screening.HistoryContact, k, "scr_other_kind", base),              // other kind, same key
			historyEntry(screening.HistoryProduct, "MC-OTHER", "scr_other_key", base),      // other key
			historyEntry(screening.HistoryProduct, k, "scr_me", base.Add(-10*time.Minute)), // the asking screening itself
		}
		// Entries of one call are taken in order: each sees the ones before it.
		first := record(t, st, 10, prior...)
		sameIDs(t, "first entry ever", historyIDs(first[0]), nil)
		sameIDs(t, "fourth entry", historyIDs(first[3]), []string{"scr_m1h", "scr_m90", "scr_m3h"})
		sameIDs(t, "sixth entry", historyIDs(first[5]), []string{"scr_p30", "scr_0", "scr_m1h", "scr_m90", "scr_m3h"})

		me := historyEntry(screening.HistoryProduct, k, "scr_me", base)
		me.Window = 90 * time.Minute
		got := record(t, st, 10, me)[0]
		sameIDs(t, "window of 90 min, newest first", historyIDs(got), []string{"scr_p30", "scr_0", "scr_m1h", "scr_m90"})
		for _, e := range got {
			if e.ScreeningID == "scr_p30" {
				want := prior[4]
				sameJSON(t, "stored entry", e, want)
				if e.Window != 0 {
					t.Errorf("returned entry has Window %v; the window is not stored", e.Window)
				}
			}
		}

		me2 := historyEntry(screening.HistoryProduct, k, "scr_me2", base)
		me2.Window = 90 * time.Minute
		// scr_me (recorded just above) and scr_0 share an instant: the id breaks the tie, descending.
		sameIDs(t, "limit 2", historyIDs(record(t, st, 2, me2)[0]), []string{"scr_p30", "scr_me"})

		anyTime := historyEntry(screening.HistoryProduct, k, "scr_any", base.Add(24*time.Hour))
		sameIDs(t, "window 0 is any time", historyIDs(record(t, st, 100, anyTime)[0]),
			[]string{"scr_p91", "scr_p30", "scr_me2", "scr_me", "scr_0", "scr_me", "scr_m1h", "scr_m90", "scr_m3h"})

		// Several entries in one call: each gets its own list, in order.
		multi := record(t, st, 10,
			historyEntry(screening.HistoryContact, k, "scr_multi", base),
			historyEntry(screening.HistoryProduct, "MC-OTHER", "scr_multi", base),
			historyEntry(screening.HistoryDeal, "DEAL-NEW", "scr_multi", base),
		)
		sameIDs(t, "multi[0] contact", historyIDs(multi[0]), []string{"scr_other_kind"})
		sameIDs(t, "multi[1] other key", historyIDs(multi[1]), []string{"scr_other_key"})
		sameIDs(t, "multi[2] new deal", historyIDs(multi[2]), nil)
		record(t, st, 10) // nothing to record is no error
	})

	t.Run("OutOfOrderAndTies", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		// Two screenings at the same instant, one with two entries on the key.
		a := historyEntry(screening.HistoryContact, "email:x@y.cn", "scr_a", base)
		b1 := historyEntry(screening.HistoryContact, "email:x@y.cn", "scr_b", base)
		b2 := b1
		b2.Party = screening.RolePayer
		record(t, st, 10, a)
		record(t, st, 10, b1, b2)
		c := historyEntry(screening.HistoryContact, "email:x@y.cn", "scr_c", base.Add(time.Second))
		got := record(t, st, 10, c)[0]
		if len(got) != 3 {
			t.Fatalf("saw %d entries, want 3 (a, and both entries of b): %v", len(got), historyIDs(got))
		}
		parties := map[string]int{}
		for _, e := range got {
			parties[e.ScreeningID+"/"+e.Party]++
		}
		if parties["scr_a/customer"] != 1 || parties["scr_b/customer"] != 1 || parties["scr_b/payer"] != 1 {
			t.Errorf("entries seen: %v", parties)
		}
	})

	t.Run("Forget", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		keep := historyEntry(screening.HistoryProduct, "P1", "scr_keep", base)
		failed := []screening.HistoryEntry{
			historyEntry(screening.HistoryProduct, "P1", "scr_failed", base.Add(time.Minute)),
			historyEntry(screening.HistoryContact, "phone:+861012345", "scr_failed", base.Add(time.Minute)),
		}
		record(t, st, 10, keep)
		record(t, st, 10, failed...)
		if err := st.ForgetHistory(ctx, failed); err != nil {
			t.Fatalf("ForgetHistory: %v", err)
		}
		got := record(t, st, 10,
			historyEntry(screening.HistoryProduct, "P1", "scr_next", base.Add(2*time.Minute)),
			historyEntry(screening.HistoryContact, "phone:+861012345", "scr_next", base.Add(2*time.Minute)),
		)
		sameIDs(t, "product after forget", historyIDs(got[0]), []string{"scr_keep"})
		sameIDs(t, "contact after forget", historyIDs(got[1]), nil)
		// Forgetting what is not there is no error.
		if err := st.ForgetHistory(ctx, failed); err != nil {
			t.Errorf("ForgetHistory twice: %v", err)
		}
	})

	t.Run("OthersOnly", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		const k = "phone:+862012345678"
		withName := func(id, nameKey string, at time.Time) screening.HistoryEntry {
			return companyEntry(k, id, nameKey, at)
		}
		// Another company long ago, then the customer itself many times.
		record(t, st, 10, withName("scr_other", "front co", base))
		for i := range 5 {
			record(t, st, 10, withName(fmt.Sprintf("scr_own%d", i), "acme", base.Add(time.Duration(i+1)*time.Hour)))
		}
		ask := withName("scr_now", "acme", base.Add(10*time.Hour))
		ask.OthersOnly = true
		sameIDs(t, "others only, limit 3", historyIDs(record(t, st, 3, ask)[0]), []string{"scr_other"})
		plain := withName("scr_now2", "acme", base.Add(11*time.Hour))
		sameIDs(t, "everyone, limit 3", historyIDs(record(t, st, 3, plain)[0]), []string{"scr_now", "scr_own4", "scr_own3"})

		// Other companies scattered among many of the customer's own
		// entries, older ones first: the newest two others, in order, across
		// whatever pages a store reads.
		const k2 = "phone:+862098765432"
		at := base
		for i := range 40 {
			at = at.Add(time.Minute)
			e := historyEntry(screening.HistoryContact, k2, fmt.Sprintf("scr_own%02d", i), at)
			e.NameKey = "acme"
			if i%13 == 5 {
				e.ScreeningID, e.NameKey = fmt.Sprintf("scr_front%02d", i), fmt.Sprintf("front %d", i)
			}
			record(t, st, 10, e)
		}
		ask2 := historyEntry(screening.HistoryContact, k2, "scr_ask", at.Add(time.Minute))
		ask2.NameKey, ask2.OthersOnly = "acme", true
		sameIDs(t, "others among many own, limit 2", historyIDs(record(t, st, 2, ask2)[0]), []string{"scr_front31", "scr_front18"})
		ask2.ScreeningID, ask2.At = "scr_ask2", ask2.At.Add(time.Minute)
		sameIDs(t, "others among many own, limit 10", historyIDs(record(t, st, 10, ask2)[0]), []string{"scr_front31", "scr_front18", "scr_front05"})
	})

	// A screening's own entries are left out however many there are: here it
	// recorded on the key in earlier calls, more than a page of a store that
	// reads limit plus what the call adds.
	t.Run("OwnEntriesOfEarlierCalls", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		const k = "MC-OWN"
		record(t, st, 10, historyEntry(screening.HistoryProduct, k, "scr_other", base))
		record(t, st, 10, historyEntry(screening.HistoryProduct, k, "scr_older", base.Add(-time.Hour)))
		for i := range 12 {
			record(t, st, 10, historyEntry(screening.HistoryProduct, k, "scr_me", base.Add(time.Duration(i+1)*time.Minute)))
		}
		me := historyEntry(screening.HistoryProduct, k, "scr_me", base.Add(20*time.Minute))
		sameIDs(t, "limit 1", historyIDs(record(t, st, 1, me)[0]), []string{"scr_other"})
		me.At = base.Add(21 * time.Minute)
		sameIDs(t, "limit 2", historyIDs(record(t, st, 2, me)[0]), []string{"scr_other", "scr_older"})
		me.At = base.Add(22 * time.Minute)
		sameIDs(t, "limit 5, fewer there", historyIDs(record(t, st, 5, me)[0]), []string{"scr_other", "scr_older"})
	})

	t.Run("RaceOnOneKey", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		const n = 16
		seen := make([]map[string]bool, n)
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Received-at times are scattered on purpose: the property is about
				// the order of recording, not of the inquiries' times.
				e := historyEntry(screening.HistoryProduct, "HOT", fmt.Sprintf("scr_%02d", i), base.Add(time.Duration((i*7)%n)*time.Minute))
				res, err := st.RecordHistory(ctxFor(t), []screening.HistoryEntry{e}, n)
				errs[i] = err
				if err == nil {
					seen[i] = map[string]bool{}
					for _, r := range res[0] {
						seen[i][r.ScreeningID] = true
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("RecordHistory %d: %v", i, err)
			}
		}
		counts := map[int]bool{}
		for i := range n {
			counts[len(seen[i])] = true
			for j := i + 1; j < n; j++ {
				a, b := fmt.Sprintf("scr_%02d", i), fmt.Sprintf("scr_%02d", j)
				if seen[i][b] == seen[j][a] {
					t.Errorf("%s sees %s: %v, %s sees %s: %v; exactly one of two racing screenings must see the other",
						a, b, seen[i][b], b, a, seen[j][a])
				}
			}
		}
		if len(counts) != n {
			t.Errorf("the %d racers saw %d distinct counts of others, want 0..%d once each", n, len(counts), n-1)
		}
	})

	t.Run("SeenCounterparties", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		cp := func(key, id string, at time.Time) screening.HistoryEntry {
			return historyEntry(screening.HistoryCounterparty, key, id, at)
		}
		xNew := cp("xin trading", "scr_x2", base.Add(3*time.Hour))
		record(t, st, 10,
			cp("old co", "scr_z", base.Add(-time.Hour)),
			cp("xin trading", "scr_x1", base.Add(time.Hour)),
			cp("yang ltd", "scr_y", base.Add(2*time.Hour)),
			historyEntry(screening.HistoryProduct, "P1", "scr_p", base.Add(5*time.Hour)), // not a counterparty
		)
		record(t, st, 10, xNew)

		collect := func(since time.Time) map[string]screening.HistoryEntry {
			t.Helper()
			out := map[string]screening.HistoryEntry{}
			err := st.SeenCounterparties(ctx, since, func(e screening.HistoryEntry) error {
				if _, dup := out[e.Key]; dup {
					t.Errorf("counterparty %q reported twice", e.Key)
				}
				if e.Kind != screening.HistoryCounterparty {
					t.Errorf("SeenCounterparties reported a %q entry", e.Kind)
				}
				out[e.Key] = e
				return nil
			})
			if err != nil {
				t.Fatalf("SeenCounterparties: %v", err)
			}
			return out
		}
		got := collect(base.Add(time.Hour))
		if len(got) != 2 {
			t.Fatalf("SeenCounterparties since +1h: %v, want xin trading and yang ltd", got)
		}
		sameJSON(t, "newest entry of xin trading", got["xin trading"], xNew)
		if got["yang ltd"].ScreeningID != "scr_y" {
			t.Errorf("yang ltd entry %+v", got["yang ltd"])
		}
		// since is inclusive, and the newest entry decides: xin's newest is +3h.
		got = collect(base.Add(3 * time.Hour))
		if len(got) != 1 || got["xin trading"].ScreeningID != "scr_x2" {
			t.Errorf("SeenCounterparties since +3h: %v", got)
		}
		if got := collect(base.Add(-2 * time.Hour)); len(got) != 3 {
			t.Errorf("SeenCounterparties since -2h: %d counterparties, want 3", len(got))
		}

		// A forgotten entry no longer counts; the previous one of the key does.
		if err := st.ForgetHistory(ctx, []screening.HistoryEntry{xNew}); err != nil {
			t.Fatal(err)
		}
		got = collect(base.Add(time.Hour))
		if got["xin trading"].ScreeningID != "scr_x1" || len(got) != 2 {
			t.Errorf("after forgetting the newest xin entry: %v", got)
		}

		stop := errors.New("stop here")
		calls := 0
		err := st.SeenCounterparties(ctx, time.Time{}, func(screening.HistoryEntry) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("SeenCounterparties with a failing callback: %d calls, error %v; want 1 call and the callback's error", calls, err)
		}
	})

	t.Run("Prune", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		cut := base
		var old []screening.HistoryEntry
		// More than one chunk of old entries, over many keys and kinds.
		for i := range 2500 {
			at := cut.Add(-time.Duration(i+1) * time.Minute)
			old = append(old, historyEntry(screening.HistoryProduct, fmt.Sprintf("P%d", i%40), fmt.Sprintf("scr_o%d", i), at))
		}
		for i := 0; i < len(old); i += 500 {
			record(t, st, 1, old[i:i+500]...)
		}
		record(t, st, 10,
			historyEntry(screening.HistoryCounterparty, "gone co", "scr_g", cut.Add(-time.Hour)),
			historyEntry(screening.HistoryCounterparty, "kept co", "scr_k0", cut.Add(-2*time.Hour)),
			historyEntry(screening.HistoryContact, "email:a@b.cn", "scr_c", cut.Add(-time.Second)),
		)
		record(t, st, 10,
			historyEntry(screening.HistoryCounterparty, "kept co", "scr_k1", cut), // at the cut: kept
			historyEntry(screening.HistoryProduct, "P1", "scr_new", cut.Add(time.Minute)),
		)
		n, err := st.PruneHistory(ctx, cut)
		if err != nil {
			t.Fatalf("PruneHistory: %v", err)
		}
		if want := len(old) + 3; n != want { // and gone co, kept co's older entry, the contact
			t.Errorf("PruneHistory removed %d entries, want %d", n, want)
		}
		got := record(t, st, 1000,
			historyEntry(screening.HistoryProduct, "P1", "scr_after", cut.Add(2*time.Minute)),
			historyEntry(screening.HistoryContact, "email:a@b.cn", "scr_after", cut.Add(2*time.Minute)),
			historyEntry(screening.HistoryCounterparty, "kept co", "scr_after", cut.Add(2*time.Minute)),
		)
		sameIDs(t, "P1 after prune", historyIDs(got[0]), []string{"scr_new"})
		sameIDs(t, "contact after prune", historyIDs(got[1]), nil)
		sameIDs(t, "kept co after prune", historyIDs(got[2]), []string{"scr_k1"})
		seen := map[string]string{}
		if err := st.SeenCounterparties(ctx, time.Time{}, func(e screening.HistoryEntry) error {
			seen[e.Key] = e.ScreeningID
			return nil
		}); err != nil {
			t.Fatalf("SeenCounterparties after prune: %v", err)
		}
		if len(seen) != 1 || seen["kept co"] != "scr_after" {
			t.Errorf("seen after prune %v, want only kept co (scr_after)", seen)
		}
		// Nothing left to prune.
		if n, err := st.PruneHistory(ctx, cut); err != nil || n != 0 {
			t.Errorf("second PruneHistory: %d, %v; want 0, nil", n, err)
		}
	})
}
