package storetest

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

func testScreenings(t *testing.T, f Factory) {
	t.Run("SaveAndGet", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		s := newScreening("scr_a", "key_1", "INQ-1", "acme", base)
		c := newCase("case_a", s, screening.CaseOpen, screening.LevelHigh, base)
		c.Decisions = []screening.Decision{{Decision: screening.DecisionEscalate, Reason: "check", KeyID: "key_r", Role: screening.RoleReviewer, At: base}}
		before := lastSeq(t, st)
		saveScreening(t, st, s, c)
		expectOneAudit(t, st, before, screening.AuditScreening, s.ID)

		got, err := st.Screening(ctx, "scr_a")
		if err != nil {
			t.Fatalf("Screening: %v", err)
		}
		sameJSON(t, "Screening", got, s)
		got, err = st.ScreeningByReference(ctx, "key_1", "INQ-1")
		if err != nil {
			t.Fatalf("ScreeningByReference: %v", err)
		}
		sameJSON(t, "ScreeningByReference", got, s)
		gotCase, err := st.Case(ctx, "case_a")
		if err != nil {
			t.Fatalf("Case: %v", err)
		}
		sameJSON(t, "Case", gotCase, c)

		_, err = st.Screening(ctx, "scr_missing")
		wantCode(t, "Screening(missing)", err, screening.ENOTFOUND)
		_, err = st.ScreeningByReference(ctx, "key_2", "INQ-1")
		wantCode(t, "ScreeningByReference(other key)", err, screening.ENOTFOUND)
		_, err = st.ScreeningByReference(ctx, "key_1", "INQ-2")
		wantCode(t, "ScreeningByReference(other reference)", err, screening.ENOTFOUND)
		_, err = st.Case(ctx, "case_missing")
		wantCode(t, "Case(missing)", err, screening.ENOTFOUND)
	})

	t.Run("WithoutCase", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		s := newScreening("scr_a", "key_1", "", "acme", base)
		s.Action, s.CaseID = screening.ActionProceed, ""
		saveScreening(t, st, s, nil)
		cases, _, err := st.ListCases(ctxFor(t), screening.CaseFilter{})
		if err != nil {
			t.Fatalf("ListCases: %v", err)
		}
		if len(cases) != 0 {
			t.Errorf("ListCases after a screening without case: %d cases, want 0", len(cases))
		}
	})

	t.Run("IdempotencyConflict", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		first := newScreening("scr_1", "key_1", "INQ-1", "acme", base)
		saveScreening(t, st, first, newCase("case_1", first, screening.CaseOpen, screening.LevelHigh, base))
		before := lastSeq(t, st)

		second := newScreening("scr_2", "key_1", "INQ-1", "acme", base.Add(time.Minute))
		second.BodyHash = "different"
		err := st.SaveScreening(ctx, second, newCase("case_2", second, screening.CaseOpen, screening.LevelHigh, base),
			auditFor(screening.AuditScreening, second.ID, base))
		wantCode(t, "SaveScreening(same key and reference)", err, screening.ECONFLICT)

		// Nothing of the refused write may exist.
		_, err = st.Screening(ctx, "scr_2")
		wantCode(t, "Screening(refused)", err, screening.ENOTFOUND)
		_, err = st.Case(ctx, "case_2")
		wantCode(t, "Case(refused)", err, screening.ENOTFOUND)
		expectNoAudit(t, st, before, "refused SaveScreening")
		list, _, err := st.ListScreenings(ctx, screening.ScreeningFilter{})
		if err != nil {
			t.Fatalf("ListScreenings: %v", err)
		}
		sameIDs(t, "ListScreenings after conflict", ids(list, func(s *screening.Screening) string { return s.ID }), []string{"scr_1"})
		got, err := st.ScreeningByReference(ctx, "key_1", "INQ-1")
		if err != nil || got.ID != "scr_1" {
			t.Errorf("ScreeningByReference after conflict = %v, %v; want scr_1", got, err)
		}

		// The same reference from another key, and empty references, are no conflict.
		saveScreening(t, st, newScreening("scr_3", "key_2", "INQ-1", "acme", base), nil)
		saveScreening(t, st, newScreening("scr_4", "key_1", "", "acme", base), nil)
		saveScreening(t, st, newScreening("scr_5", "key_1", "", "acme", base), nil)

		// An id that exists is a conflict too: a store never overwrites a screening.
		again := newScreening("scr_1", "key_3", "INQ-9", "acme", base)
		before = lastSeq(t, st)
		err = st.SaveScreening(ctx, again, nil, auditFor(screening.AuditScreening, again.ID, base))
		wantCode(t, "SaveScreening(existing id)", err, screening.ECONFLICT)
		expectNoAudit(t, st, before, "SaveScreening(existing id)")
		_, err = st.ScreeningByReference(ctx, "key_3", "INQ-9")
		wantCode(t, "ScreeningByReference(refused duplicate id)", err, screening.ENOTFOUND)
	})

	t.Run("ConcurrentSameReference", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := newScreening(fmt.Sprintf("scr_%d", i), "key_1", "INQ-RACE", "acme", base)
				errs[i] = st.SaveScreening(ctxFor(t), s, nil, auditFor(screening.AuditScreening, s.ID, base))
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch screening.ErrorCode(err) {
			case "":
				won++
			case screening.ECONFLICT:
			default:
				t.Errorf("save %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent saves with one reference succeeded, want exactly 1", won)
		}
		if recs := AllAudit(t, st); len(recs) != 1 {
			t.Errorf("%d audit records, want 1", len(recs))
		}
	})

	t.Run("ListPaging", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		// 23 screenings; three pairs share a time so that the id breaks the tie.
		var want []*screening.Screening
		for i := range 23 {
			at := base.Add(time.Duration(i/2*2) * time.Minute) // pairs 0-1, 2-3, ... share a minute
			s := newScreening(fmt.Sprintf("scr_%02d", i), "key_1", "", "acme", at)
			saveScreening(t, st, s, nil)
			want = append(want, s)
		}
		sort.Slice(want, func(i, j int) bool {
			if !want[i].ScreenedAt.Equal(want[j].ScreenedAt) {
				return want[i].ScreenedAt.After(want[j].ScreenedAt)
			}
			return want[i].ID > want[j].ID
		})
		wantIDs := ids(want, func(s *screening.Screening) string { return s.ID })

		var got []string
		cursor, pages := "", 0
		for {
			page, next, err := st.ListScreenings(ctx, screening.ScreeningFilter{Limit: 10, Cursor: cursor})
			if err != nil {
				t.Fatalf("ListScreenings page %d: %v", pages, err)
			}
			pages++
			if len(page) > 10 {
				t.Fatalf("page %d has %d items, limit 10", pages, len(page))
			}
			got = append(got, ids(page, func(s *screening.Screening) string { return s.ID })...)
			if pages == 1 {
				sameJSON(t, "first item of the first page", page[0], want[0])
				// Newer screenings arriving between pages must not shift the next page.
				saveScreening(t, st, newScreening("scr_new", "key_1", "", "acme", base.Add(time.Hour)), nil)
			}
			if next == "" {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			cursor = next
		}
		if pages != 3 {
			t.Errorf("%d pages, want 3 (10+10+3)", pages)
		}
		sameIDs(t, "ListScreenings pages", got, wantIDs)

		// A page that ends exactly at the last item has no next cursor.
		page, next, err := st.ListScreenings(ctx, screening.ScreeningFilter{Limit: 24})
		if err != nil {
			t.Fatalf("ListScreenings(24): %v", err)
		}
		if len(page) != 24 || next != "" {
			t.Errorf("ListScreenings(limit 24 of 24) = %d items, cursor %q; want 24 and no cursor", len(page), next)
		}

		_, _, err = st.ListScreenings(ctx, screening.ScreeningFilter{Cursor: "not a cursor!"})
		wantCode(t, "ListScreenings(bad cursor)", err, screening.EINVALID)
	})

	t.Run("ListFilters", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		type spec struct {
			id, key, customer string
			minute            int
		}
		for _, s := range []spec{
			{"scr_1", "key_a", "acme", 0}, {"scr_2", "key_b", "acme", 1}, {"scr_3", "key_a", "bolt", 2},
			{"scr_4", "key_a", "acme", 3}, {"scr_5", "key_b", "bolt", 4}, {"scr_6", "key_a", "acme", 5},
		} {
			saveScreening(t, st, newScreening(s.id, s.key, "", s.customer, base.Add(time.Duration(s.minute)*time.Minute)), nil)
		}
		for _, tc := range []struct {
			name string
			f    screening.ScreeningFilter
			want []string
		}{
			{"all", screening.ScreeningFilter{}, []string{"scr_6", "scr_5", "scr_4", "scr_3", "scr_2", "scr_1"}},
			{"key", screening.ScreeningFilter{KeyID: "key_a"}, []string{"scr_6", "scr_4", "scr_3", "scr_1"}},
			{"customer", screening.ScreeningFilter{CustomerKey: "bolt"}, []string{"scr_5", "scr_3"}},
			{"key and customer", screening.ScreeningFilter{KeyID: "key_a", CustomerKey: "acme"}, []string{"scr_6", "scr_4", "scr_1"}},
			{"since (inclusive)", screening.ScreeningFilter{Since: base.Add(3 * time.Minute)}, []string{"scr_6", "scr_5", "scr_4"}},
			{"since and key", screening.ScreeningFilter{KeyID: "key_b", Since: base.Add(time.Minute)}, []string{"scr_5", "scr_2"}},
			{"since after all", screening.ScreeningFilter{Since: base.Add(time.Hour)}, nil},
			{"unknown key", screening.ScreeningFilter{KeyID: "key_z"}, nil},
			{"unknown customer", screening.ScreeningFilter{CustomerKey: "zeta"}, nil},
		} {
			got, next, err := st.ListScreenings(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if next != "" {
				t.Errorf("%s: cursor %q, want none", tc.name, next)
			}
			sameIDs(t, tc.name, ids(got, func(s *screening.Screening) string { return s.ID }), tc.want)
		}

		// Filters hold across pages.
		var got []string
		f := screening.ScreeningFilter{KeyID: "key_a", CustomerKey: "acme", Limit: 1}
		for i := 0; ; i++ {
			page, next, err := st.ListScreenings(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(page, func(s *screening.Screening) string { return s.ID })...)
			if next == "" || i > 5 {
				break
			}
			f.Cursor = next
		}
		sameIDs(t, "filtered pages of one", got, []string{"scr_6", "scr_4", "scr_1"})
	})

	t.Run("ListLimitCap", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		const n = 510
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for w := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 10 {
					s := newScreening(fmt.Sprintf("scr_%04d", i), "key_1", "", "acme", base.Add(time.Duration(i)*time.Second))
					if err := st.SaveScreening(ctx, s, nil, auditFor(screening.AuditScreening, s.ID, base)); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("SaveScreening: %v", err)
		}
		for _, limit := range []int{0, 1000} {
			page, next, err := st.ListScreenings(ctx, screening.ScreeningFilter{Limit: limit})
			if err != nil {
				t.Fatalf("ListScreenings(limit %d): %v", limit, err)
			}
			if len(page) != 500 || next == "" {
				t.Errorf("ListScreenings(limit %d) = %d items, cursor %q; want the cap of 500 and a cursor", limit, len(page), next)
			}
		}
		if recs := AllAudit(t, st); len(recs) != n {
			t.Errorf("%d audit records after %d concurrent saves, want %d", len(recs), n, n)
		}
	})
}
