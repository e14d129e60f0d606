package storetest

import (
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// testDurability writes one of everything, reopens the store and reads it all
// back: what a store acknowledged must outlive the process.
func testDurability(t *testing.T, f Factory) {
	st := f.New(t)
	ctx := ctxFor(t)

	s := newScreening("scr_1", "key_1", "INQ-1", "acme", base)
	c := newCase("case_1", s, screening.CaseOpen, screening.LevelHigh, base)
	// The engine's order: history first, then the screening that recorded it.
	record(t, st, 10, historyEntry(screening.HistoryProduct, "MC-5X200", "scr_1", base))
	saveScreening(t, st, s, c)
	upd := *c
	upd.Status = screening.CaseEscalated
	if err := st.UpdateCase(ctx, &upd, 1, auditFor(screening.AuditDecision, c.ID, base)); err != nil {
		t.Fatal(err)
	}
	record(t, st, 10, historyEntry(screening.HistoryCounterparty, "acme", "scr_1", base))
	sup := screening.Suppression{CounterpartyKey: "acme", EntryKey: "un:1", EntryHash: "h", Reason: "other", KeyID: "key_r", At: base}
	if err := st.PutSuppression(ctx, sup, auditFor(screening.AuditSuppression, "acme", base)); err != nil {
		t.Fatal(err)
	}
	key := &screening.APIKey{ID: "key_1", Name: "erp", Role: screening.RoleERP, Hash: "h1", CreatedAt: base}
	if err := st.CreateKey(ctx, key, auditFor(screening.AuditKey, key.ID, base)); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeKey(ctx, key.ID, base.Add(time.Hour), auditFor(screening.AuditKey, key.ID, base)); err != nil {
		t.Fatal(err)
	}
	snap := &screening.ListSnapshot{Source: "un_sc", Version: "v1", ImportedAt: base, Count: 5, Entries: testEntries("un_sc", 5)}
	if err := st.SaveSnapshot(ctx, snap, auditFor(screening.AuditListImport, "un_sc", base)); err != nil {
		t.Fatal(err)
	}
	hook := &screening.Webhook{ID: "wh_1", URL: "https://erp.example/hook", Secret: "k", Events: []string{"case.decided"}, CreatedAt: base,
		PreviousSecret: "k0", PreviousSecretUntil: base.Add(24 * time.Hour)}
	if err := st.CreateWebhook(ctx, hook, auditFor(screening.AuditWebhook, hook.ID, base)); err != nil {
		t.Fatal(err)
	}
	removed := &screening.Webhook{ID: "wh_2", URL: "https://old-erp.example/hook", Events: []string{"case.decided"}, CreatedAt: base,
		Disabled: true, DeletedAt: base.Add(time.Hour)}
	if err := st.CreateWebhook(ctx, removed, auditFor(screening.AuditWebhook, removed.ID, base)); err != nil {
		t.Fatal(err)
	}
	d := newDelivery("d1", "wh_1", base, 0)
	if err := st.EnqueueDeliveries(ctx, []screening.Delivery{d}, 6); err != nil {
		t.Fatal(err)
	}
	claimed, err := st.ClaimDeliveries(ctx, base.Add(time.Minute), time.Hour, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimDeliveries = %v, %v", claimed, err)
	}
	chain := AllAudit(t, st)

	st = f.Reopen(t, st)
	ctx = ctxFor(t)

	gotS, err := st.Screening(ctx, "scr_1")
	if err != nil {
		t.Fatalf("Screening after reopen: %v", err)
	}
	sameJSON(t, "screening after reopen", gotS, s)
	if _, err := st.ScreeningByReference(ctx, "key_1", "INQ-1"); err != nil {
		t.Errorf("ScreeningByReference after reopen: %v", err)
	}
	dup := newScreening("scr_2", "key_1", "INQ-1", "acme", base)
	wantCode(t, "idempotency after reopen", st.SaveScreening(ctx, dup, nil, auditFor(screening.AuditScreening, "scr_2", base)), screening.ECONFLICT)
	list, _, err := st.ListScreenings(ctx, screening.ScreeningFilter{CustomerKey: "acme"})
	if err != nil || len(list) != 1 {
		t.Errorf("ListScreenings after reopen = %d, %v", len(list), err)
	}
	gotC, err := st.Case(ctx, "case_1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "case after reopen", gotC, &upd)
	cases, _, err := st.ListCases(ctx, screening.CaseFilter{Status: screening.CaseEscalated})
	if err != nil || len(cases) != 1 {
		t.Errorf("ListCases after reopen = %d, %v", len(cases), err)
	}
	seen := record(t, st, 10, historyEntry(screening.HistoryCounterparty, "acme", "scr_3", base))[0]
	sameIDs(t, "history after reopen", historyIDs(seen), []string{"scr_1"})
	seen = record(t, st, 10, historyEntry(screening.HistoryProduct, "MC-5X200", "scr_3", base))[0]
	sameIDs(t, "history recorded before the save, after reopen", historyIDs(seen), []string{"scr_1"})
	sups, err := st.Suppressions(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "suppressions after reopen", sups, []screening.Suppression{sup})
	gotK, err := st.KeyByHash(ctx, "h1")
	if err != nil || gotK.RevokedAt == nil {
		t.Errorf("key after reopen = %+v, %v; want it revoked", gotK, err)
	}
	gotSnap, err := st.Snapshot(ctx, "un_sc")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "snapshot after reopen", gotSnap, snap)
	gotH, err := st.Webhook(ctx, "wh_1")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "webhook after reopen", gotH, hook)
	if gotH, err = st.Webhook(ctx, "wh_2"); err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "deleted webhook after reopen", gotH, removed)
	if cur, err := st.OutboxCursor(ctx); err != nil || cur != 6 {
		t.Errorf("OutboxCursor after reopen = %d, %v; want 6", cur, err)
	}
	// The lease taken before the restart still holds.
	if again, err := st.ClaimDeliveries(ctx, base.Add(2*time.Minute), time.Hour, 10); err != nil || len(again) != 0 {
		t.Errorf("claim within the lease after reopen = %v, %v; want nothing", again, err)
	}

	after := AllAudit(t, st)
	sameJSON(t, "audit chain after reopen", after, chain)
	rec, err := st.AppendAudit(ctx, auditFor(screening.AuditRescreen, "all", base))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Seq != uint64(len(chain)+1) || rec.PrevHash != chain[len(chain)-1].Hash {
		t.Errorf("the chain does not continue after reopen: seq %d prev %s", rec.Seq, rec.PrevHash)
	}
	AllAudit(t, st)
}
