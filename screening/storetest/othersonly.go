package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// testOthersOnly checks OthersOnly look-ups, one entry per other company,
// against a model: a plain list of what was recorded, filtered the slow way.
// Screenings come in random order of time with one or two parties, some
// look-ups back-fill far into the past, and some screenings are forgotten
// and the history pruned on the way, so that a store that keeps an index of
// companies has to keep it right through all of them.
func testOthersOnly(t *testing.T, f Factory) {
	t.Run("OnePerCompany", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		const k = "phone:+862011112222"
		party := func(id, company string, at time.Time) screening.HistoryEntry {
			e := companyEntry(k, id, company, at)
			e.OthersOnly = true
			return e
		}
		record(t, st, 10, party("scr_shell", "shell", base))
		for i := 1; i <= 3; i++ {
			record(t, st, 10, party(fmt.Sprintf("scr_front%d", i), "front", base.Add(time.Duration(i)*time.Hour)))
		}
		got := record(t, st, 10, party("scr_ask", "acme", base.Add(4*time.Hour)))
		sameIDs(t, "newest of each other company", historyIDs(got[0]), []string{"scr_front3", "scr_shell"})

		// One screening names front as its end user and acme as its
		// customer: for acme, front's newest entry of another screening.
		got = record(t, st, 10,
			party("scr_both", "front", base.Add(5*time.Hour)),
			party("scr_both", "acme", base.Add(5*time.Hour)))
		sameIDs(t, "front in the same screening", historyIDs(got[0]), []string{"scr_ask", "scr_shell"})
		sameIDs(t, "acme beside front", historyIDs(got[1]), []string{"scr_front3", "scr_shell"})

		// Received long ago (a back-fill): front's newest entry of then, not
		// its newest, which lies after the window.
		old := party("scr_backfill", "acme", base.Add(90*time.Minute))
		old.Window = time.Hour
		got = record(t, st, 10, old)
		sameIDs(t, "back-fill", historyIDs(got[0]), []string{"scr_front2"})
	})

	t.Run("Model", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		rng := rand.New(rand.NewPCG(8, 24))
		keys := []string{"phone:+861011110000", "email:sales@front.example"}
		companies := []string{"acme", "front", "shell", "tokyo trading", "dalian", ""}
		var model []screening.HistoryEntry // what the store holds now
		minutes := rng.Perm(3000)          // distinct times, random order
		var done [][]screening.HistoryEntry
		for n := range 400 {
			switch {
			case n%11 == 10 && len(done) > 0:
				// Mostly the screening just made (a save that failed),
				// sometimes any.
				gone := done[len(done)-1]
				if n%3 == 0 {
					gone = done[rng.IntN(len(done))]
				}
				if err := st.ForgetHistory(ctx, gone); err != nil {
					t.Fatalf("ForgetHistory: %v", err)
				}
				model = slices.DeleteFunc(model, func(e screening.HistoryEntry) bool { return e.ScreeningID == gone[0].ScreeningID })
				continue
			case n == 250:
				cut := base.Add(time.Duration(minutes[3]) * time.Minute)
				if _, err := st.PruneHistory(ctx, cut); err != nil {
					t.Fatalf("PruneHistory: %v", err)
				}
				model = slices.DeleteFunc(model, func(e screening.HistoryEntry) bool { return e.At.Before(cut) })
			}
			id := fmt.Sprintf("scr_%03d", n)
			at := base.Add(time.Duration(minutes[n]) * time.Minute)
			key := keys[rng.IntN(len(keys))]
			window := time.Duration(0)
			if rng.IntN(3) > 0 {
				window = time.Duration(10+rng.IntN(600)) * time.Minute
			}
			limit := 1 + rng.IntN(5)
			var call []screening.HistoryEntry
			for p := range 1 + rng.IntN(2) {
				e := companyEntry(key, id, companies[rng.IntN(len(companies))], at.Add(time.Duration(p)*time.Second))
				e.Window, e.OthersOnly = window, true
				call = append(call, e)
			}
			got := record(t, st, limit, call...)
			for i, e := range call {
				model = append(model, stored(e))
				want := othersOnlyModel(model, e, limit)
				sameIDs(t, fmt.Sprintf("step %d entry %d (%s at %s, window %s, limit %d)", n, i, e.NameKey, e.At.Format(time.TimeOnly), window, limit),
					historyKeys(got[i]), historyKeys(want))
			}
			done = append(done, call)
		}
	})
}

// companyEntry is a contact entry of the company with name key company.
func companyEntry(key, id, company string, at time.Time) screening.HistoryEntry {
	e := historyEntry(screening.HistoryContact, key, id, at)
	e.NameKey = company
	return e
}

// stored is e as a store returns it.
func stored(e screening.HistoryEntry) screening.HistoryEntry {
	e.Window, e.OthersOnly = 0, false
	return e
}

func historyKeys(es []screening.HistoryEntry) []string {
	return ids(es, func(e screening.HistoryEntry) string { return e.ScreeningID + "/" + e.NameKey })
}

// othersOnlyModel is the look-up of ask, the slow way.
func othersOnlyModel(model []screening.HistoryEntry, ask screening.HistoryEntry, limit int) []screening.HistoryEntry {
	var in []screening.HistoryEntry
	for _, e := range model {
		d := e.At.Sub(ask.At)
		if e.Kind != ask.Kind || e.Key != ask.Key || e.ScreeningID == ask.ScreeningID || e.NameKey == ask.NameKey ||
			ask.Window > 0 && (d > ask.Window || d < -ask.Window) {
			continue
		}
		in = append(in, e)
	}
	slices.SortFunc(in, func(a, b screening.HistoryEntry) int { return b.At.Compare(a.At) })
	var out []screening.HistoryEntry
	seen := map[string]bool{}
	for _, e := range in {
		if !seen[e.NameKey] && len(out) < limit {
			seen[e.NameKey] = true
			out = append(out, e)
		}
	}
	return out
}
