package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

func caseIDs(cs []*screening.Case) []string {
	return ids(cs, func(c *screening.Case) string { return c.ID })
}

func testCases(t *testing.T, f Factory) {
	t.Run("ListFilters", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		type spec struct {
			id       string
			status   string
			level    screening.Level
			customer string
			minute   int
		}
		for _, c := range []spec{
			{"case_1", screening.CaseOpen, screening.LevelHigh, "acme", 0},
			{"case_2", screening.CaseOpen, screening.LevelMedium, "bolt", 1},
			{"case_3", screening.CaseEscalated, screening.LevelHigh, "acme", 2},
			{"case_4", screening.CaseOpen, screening.LevelHigh, "bolt", 3},
			{"case_5", screening.CaseCleared, screening.LevelMedium, "acme", 4},
		} {
			at := base.Add(time.Duration(c.minute) * time.Minute)
			s := newScreening("scr"+c.id[4:], "key_1", "", c.customer, at)
			saveScreening(t, st, s, newCase(c.id, s, c.status, c.level, at))
		}
		for _, tc := range []struct {
			name string
			f    screening.CaseFilter
			want []string
		}{
			{"all", screening.CaseFilter{}, []string{"case_5", "case_4", "case_3", "case_2", "case_1"}},
			{"status", screening.CaseFilter{Status: screening.CaseOpen}, []string{"case_4", "case_2", "case_1"}},
			{"level", screening.CaseFilter{Level: screening.LevelHigh}, []string{"case_4", "case_3", "case_1"}},
			{"customer", screening.CaseFilter{CustomerKey: "acme"}, []string{"case_5", "case_3", "case_1"}},
			{"status and level", screening.CaseFilter{Status: screening.CaseOpen, Level: screening.LevelHigh}, []string{"case_4", "case_1"}},
			{"status, level and customer", screening.CaseFilter{Status: screening.CaseOpen, Level: screening.LevelHigh, CustomerKey: "bolt"}, []string{"case_4"}},
			{"since", screening.CaseFilter{Since: base.Add(2 * time.Minute)}, []string{"case_5", "case_4", "case_3"}},
			{"rejected", screening.CaseFilter{Status: screening.CaseRejected}, nil},
		} {
			got, next, err := st.ListCases(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if next != "" {
				t.Errorf("%s: cursor %q, want none", tc.name, next)
			}
			sameIDs(t, tc.name, caseIDs(got), tc.want)
		}

		var got []string
		cf := screening.CaseFilter{Status: screening.CaseOpen, Limit: 2}
		for i := 0; ; i++ {
			page, next, err := st.ListCases(ctx, cf)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 2 {
				t.Fatalf("page of %d, limit 2", len(page))
			}
			got = append(got, caseIDs(page)...)
			if next == "" || i > 5 {
				break
			}
			cf.Cursor = next
		}
		sameIDs(t, "open cases in pages of 2", got, []string{"case_4", "case_2", "case_1"})
		_, _, err := st.ListCases(ctx, screening.CaseFilter{Cursor: "%%%"})
		wantCode(t, "ListCases(bad cursor)", err, screening.EINVALID)
	})

	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		s := newScreening("scr_1", "key_1", "", "acme", base)
		c := newCase("case_1", s, screening.CaseOpen, screening.LevelHigh, base)
		saveScreening(t, st, s, c)

		upd := *c
		upd.Status = screening.CaseCleared
		upd.UpdatedAt = base.Add(time.Hour)
		upd.Decisions = []screening.Decision{{Decision: screening.DecisionClear, Reason: "same name, other company", KeyID: "key_r", Role: screening.RoleReviewer, At: base.Add(time.Hour)}}
		before := lastSeq(t, st)
		if err := st.UpdateCase(ctx, &upd, 1, auditFor(screening.AuditDecision, c.ID, base.Add(time.Hour))); err != nil {
			t.Fatalf("UpdateCase: %v", err)
		}
		expectOneAudit(t, st, before, screening.AuditDecision, c.ID)
		if upd.Version != 2 {
			t.Errorf("UpdateCase left Version %d, want 2", upd.Version)
		}
		got, err := st.Case(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "updated case", got, &upd)

		// The status index follows the update.
		open, _, err := st.ListCases(ctx, screening.CaseFilter{Status: screening.CaseOpen})
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "open cases after clearing", caseIDs(open), nil)
		cleared, _, err := st.ListCases(ctx, screening.CaseFilter{Status: screening.CaseCleared})
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "cleared cases", caseIDs(cleared), []string{"case_1"})

		// A stale version is refused and changes nothing.
		stale := *c
		stale.Status = screening.CaseRejected
		before = lastSeq(t, st)
		err = st.UpdateCase(ctx, &stale, 1, auditFor(screening.AuditDecision, c.ID, base))
		wantCode(t, "UpdateCase(stale version)", err, screening.ECONFLICT)
		expectNoAudit(t, st, before, "refused UpdateCase")
		got, _ = st.Case(ctx, c.ID)
		sameJSON(t, "case after refused update", got, &upd)

		missing := *c
		missing.ID = "case_missing"
		err = st.UpdateCase(ctx, &missing, 1, auditFor(screening.AuditDecision, missing.ID, base))
		wantCode(t, "UpdateCase(missing)", err, screening.ENOTFOUND)
		expectNoAudit(t, st, before, "UpdateCase(missing)")
	})

	t.Run("ConcurrentUpdates", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		s := newScreening("scr_1", "key_1", "", "acme", base)
		c := newCase("case_1", s, screening.CaseOpen, screening.LevelHigh, base)
		saveScreening(t, st, s, c)
		before := lastSeq(t, st)

		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				upd := *c
				upd.Status = screening.CaseEscalated
				upd.Decisions = []screening.Decision{{Decision: screening.DecisionEscalate, Reason: fmt.Sprintf("reviewer %d", i), At: base}}
				<-start
				errs[i] = st.UpdateCase(ctxFor(t), &upd, 1, auditFor(screening.AuditDecision, c.ID, base))
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch screening.ErrorCode(err) {
			case "":
				won++
			case screening.ECONFLICT:
			default:
				t.Errorf("update %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d updates with the same expected version succeeded, want exactly 1", won, n)
		}
		expectOneAudit(t, st, before, screening.AuditDecision, c.ID)
		got, err := st.Case(ctxFor(t), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || len(got.Decisions) != 1 {
			t.Errorf("case after the race: version %d, %d decisions; want 2 and 1", got.Version, len(got.Decisions))
		}
	})
}

func testSuppressions(t *testing.T, f Factory) {
	st := f.New(t)
	ctx := ctxFor(t)
	sup := func(cp, entry, reason string) screening.Suppression {
		return screening.Suppression{CounterpartyKey: cp, EntryKey: entry, EntryHash: "h-" + entry, Reason: reason, KeyID: "key_r", CaseID: "case_1", At: base}
	}
	for _, s := range []screening.Suppression{
		sup("acme", "ofac_sdn:200", "other company"),
		sup("acme", "meti_eul:12", "other city"),
		sup("bolt", "ofac_sdn:200", "other company"),
	} {
		before := lastSeq(t, st)
		if err := st.PutSuppression(ctx, s, auditFor(screening.AuditSuppression, s.CounterpartyKey, base)); err != nil {
			t.Fatalf("PutSuppression: %v", err)
		}
		expectOneAudit(t, st, before, screening.AuditSuppression, s.CounterpartyKey)
	}
	replaced := sup("acme", "ofac_sdn:200", "other company, checked registry")
	replaced.EntryHash = "h-new"
	if err := st.PutSuppression(ctx, replaced, auditFor(screening.AuditSuppression, "acme", base)); err != nil {
		t.Fatal(err)
	}
	got, err := st.Suppressions(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	// Ordered by entry key.
	sameJSON(t, "suppressions of acme", got, []screening.Suppression{sup("acme", "meti_eul:12", "other city"), replaced})
	got, err = st.Suppressions(ctx, "nobody")
	if err != nil || len(got) != 0 {
		t.Errorf("Suppressions(nobody) = %v, %v; want none and no error", got, err)
	}
}

func testKeys(t *testing.T, f Factory) {
	st := f.New(t)
	ctx := ctxFor(t)
	key := func(id, hash string, minute int) *screening.APIKey {
		return &screening.APIKey{ID: id, Name: "name " + id, Role: screening.RoleERP, Hash: hash, CreatedAt: base.Add(time.Duration(minute) * time.Minute)}
	}
	k1, k2, k3 := key("key_b", "hash1", 0), key("key_a", "hash2", 1), key("key_c", "hash3", 1)
	for _, k := range []*screening.APIKey{k3, k1, k2} {
		before := lastSeq(t, st)
		if err := st.CreateKey(ctx, k, auditFor(screening.AuditKey, k.ID, k.CreatedAt)); err != nil {
			t.Fatalf("CreateKey(%s): %v", k.ID, err)
		}
		expectOneAudit(t, st, before, screening.AuditKey, k.ID)
	}
	before := lastSeq(t, st)
	err := st.CreateKey(ctx, key("key_a", "hash9", 5), auditFor(screening.AuditKey, "key_a", base))
	wantCode(t, "CreateKey(existing id)", err, screening.ECONFLICT)
	err = st.CreateKey(ctx, key("key_z", "hash1", 5), auditFor(screening.AuditKey, "key_z", base))
	wantCode(t, "CreateKey(existing hash)", err, screening.ECONFLICT)
	expectNoAudit(t, st, before, "refused CreateKey")
	if _, err := st.KeyByHash(ctx, "hash9"); screening.ErrorCode(err) != screening.ENOTFOUND {
		t.Errorf("the refused key's hash was stored: %v", err)
	}

	got, err := st.KeyByHash(ctx, "hash2")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "KeyByHash", got, k2)
	_, err = st.KeyByHash(ctx, "nope")
	wantCode(t, "KeyByHash(missing)", err, screening.ENOTFOUND)

	all, err := st.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Oldest first; key_a and key_c were created in the same minute.
	sameIDs(t, "Keys", ids(all, func(k *screening.APIKey) string { return k.ID }), []string{"key_b", "key_a", "key_c"})

	at := base.Add(2 * time.Hour)
	before = lastSeq(t, st)
	if err := st.RevokeKey(ctx, "key_a", at, auditFor(screening.AuditKey, "key_a", at)); err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	expectOneAudit(t, st, before, screening.AuditKey, "key_a")
	if err := st.RevokeKey(ctx, "key_a", at.Add(time.Hour), auditFor(screening.AuditKey, "key_a", at)); err != nil {
		t.Fatalf("RevokeKey twice: %v", err)
	}
	got, err = st.KeyByHash(ctx, "hash2")
	if err != nil {
		t.Fatal(err)
	}
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at) {
		t.Errorf("revoked key has RevokedAt %v, want the first revocation %v", got.RevokedAt, at)
	}
	before = lastSeq(t, st)
	err = st.RevokeKey(ctx, "key_missing", at, auditFor(screening.AuditKey, "key_missing", at))
	wantCode(t, "RevokeKey(missing)", err, screening.ENOTFOUND)
	expectNoAudit(t, st, before, "RevokeKey(missing)")
}
