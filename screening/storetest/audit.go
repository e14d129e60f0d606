package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

func testAudit(t *testing.T, f Factory) {
	t.Run("AppendAndFilter", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		if recs := AllAudit(t, st); len(recs) != 0 {
			t.Fatalf("a new store has %d audit records", len(recs))
		}
		kinds := []string{screening.AuditRescreen, screening.AuditWebhook, screening.AuditRescreen, screening.AuditKey, screening.AuditRescreen}
		var sealed []screening.AuditRecord
		for i, kind := range kinds {
			rec := screening.NewAuditRecord(base.Add(time.Duration(i)*time.Minute), kind, "system", fmt.Sprintf("subj_%d", i), map[string]any{"n": i, "note": "日本語"})
			if i == 1 {
				// Data is hashed byte for byte: a store must not re-encode it
				// (compacting spaces or escaping <> would break the chain).
				rec.Data = json.RawMessage(`{"spaced": [1, 2], "html": "<b>&</b>"}`)
			}
			got, err := st.AppendAudit(ctx, rec)
			if err != nil {
				t.Fatalf("AppendAudit: %v", err)
			}
			if got.Seq != uint64(i+1) {
				t.Errorf("record %d sealed with Seq %d", i, got.Seq)
			}
			if got.Hash == "" || got.Hash != got.ComputeHash() {
				t.Errorf("record %d returned unsealed or with a wrong hash", i)
			}
			if got.Kind != kind || got.Subject != rec.Subject || !got.At.Equal(rec.At) || string(got.Data) != string(rec.Data) {
				t.Errorf("sealed record %+v does not carry what was appended %+v", got, rec)
			}
			sealed = append(sealed, got)
		}
		all := AllAudit(t, st)
		sameJSON(t, "Audit()", all, sealed)
		if _, err := screening.VerifyChain(nil, all); err != nil {
			t.Errorf("VerifyChain: %v", err)
		}
		for _, r := range all {
			var v map[string]any
			if err := json.Unmarshal(r.Data, &v); err != nil {
				t.Errorf("record %d data no longer JSON: %v", r.Seq, err)
			}
		}

		for _, tc := range []struct {
			name string
			f    screening.AuditFilter
			want []uint64
		}{
			{"kind", screening.AuditFilter{Kind: screening.AuditRescreen}, []uint64{1, 3, 5}},
			{"after", screening.AuditFilter{AfterSeq: 3}, []uint64{4, 5}},
			{"since (inclusive)", screening.AuditFilter{Since: base.Add(time.Minute)}, []uint64{2, 3, 4, 5}},
			{"limit", screening.AuditFilter{Limit: 2}, []uint64{1, 2}},
			{"kind, after and limit", screening.AuditFilter{Kind: screening.AuditRescreen, AfterSeq: 1, Limit: 1}, []uint64{3}},
			{"kind and since", screening.AuditFilter{Kind: screening.AuditRescreen, Since: base.Add(3 * time.Minute)}, []uint64{5}},
			{"after the end", screening.AuditFilter{AfterSeq: 5}, nil},
			{"unknown kind", screening.AuditFilter{Kind: "nothing"}, nil},
		} {
			got, err := st.Audit(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			seqs := make([]uint64, len(got))
			for i, r := range got {
				seqs[i] = r.Seq
			}
			if fmt.Sprint(seqs) != fmt.Sprint(tc.want) {
				t.Errorf("Audit(%s) = %v, want %v", tc.name, seqs, tc.want)
			}
			// A filtered run verifies from its trusted predecessor.
			if tc.name == "after" {
				if _, err := screening.VerifyChain(&all[2], got); err != nil {
					t.Errorf("VerifyChain from record 3: %v", err)
				}
			}
		}
	})

	t.Run("EveryWriteAppendsOne", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		s := newScreening("scr_1", "key_1", "INQ-1", "acme", base)
		c := newCase("case_1", s, screening.CaseOpen, screening.LevelHigh, base)
		steps := []struct {
			kind, subject string
			write         func(rec screening.AuditRecord) error
		}{
			{screening.AuditScreening, "scr_1", func(rec screening.AuditRecord) error { return st.SaveScreening(ctx, s, c, rec) }},
			{screening.AuditDecision, "case_1", func(rec screening.AuditRecord) error {
				upd := *c
				upd.Status = screening.CaseEscalated
				return st.UpdateCase(ctx, &upd, c.Version, rec)
			}},
			{screening.AuditSuppression, "acme", func(rec screening.AuditRecord) error {
				return st.PutSuppression(ctx, screening.Suppression{CounterpartyKey: "acme", EntryKey: "un:1", EntryHash: "h", At: base}, rec)
			}},
			{screening.AuditKey, "key_1", func(rec screening.AuditRecord) error {
				return st.CreateKey(ctx, &screening.APIKey{ID: "key_1", Name: "erp", Role: screening.RoleERP, Hash: "h1", CreatedAt: base}, rec)
			}},
			{screening.AuditKey, "key_1", func(rec screening.AuditRecord) error { return st.RevokeKey(ctx, "key_1", base, rec) }},
			{screening.AuditListImport, "un_sc", func(rec screening.AuditRecord) error {
				return st.SaveSnapshot(ctx, &screening.ListSnapshot{Source: "un_sc", Version: "v1", ImportedAt: base, Count: 1, Entries: testEntries("un_sc", 1)}, rec)
			}},
			{screening.AuditWebhook, "wh_1", func(rec screening.AuditRecord) error {
				return st.CreateWebhook(ctx, &screening.Webhook{ID: "wh_1", URL: "https://erp.example/hook", Events: []string{"screening.held"}, CreatedAt: base}, rec)
			}},
			{screening.AuditWebhook, "wh_1", func(rec screening.AuditRecord) error {
				_, err := st.UpdateWebhook(ctx, "wh_1", func(w *screening.Webhook) error { w.Disabled = true; return nil }, rec)
				return err
			}},
			{screening.AuditRescreen, "all", func(rec screening.AuditRecord) error { _, err := st.AppendAudit(ctx, rec); return err }},
		}
		for _, step := range steps {
			before := lastSeq(t, st)
			rec := auditFor(step.kind, step.subject, base)
			if err := step.write(rec); err != nil {
				t.Fatalf("%s write: %v", step.kind, err)
			}
			expectOneAudit(t, st, before, step.kind, step.subject)
		}
		// Writes that carry no audit record append none.
		before := lastSeq(t, st)
		record(t, st, 10, historyEntry(screening.HistoryProduct, "P", "scr_1", base))
		if err := st.ForgetHistory(ctx, []screening.HistoryEntry{historyEntry(screening.HistoryProduct, "P", "scr_1", base)}); err != nil {
			t.Fatal(err)
		}
		if err := st.EnqueueDeliveries(ctx, []screening.Delivery{newDelivery("d1", "wh_1", base, 0)}, 3); err != nil {
			t.Fatal(err)
		}
		expectNoAudit(t, st, before, "history and outbox writes")
	})

	t.Run("ConcurrentWriters", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		const writers, each = 8, 12
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := ctxFor(t)
				for i := range each {
					var err error
					switch i % 3 {
					case 0:
						_, err = st.AppendAudit(ctx, auditFor(screening.AuditRescreen, fmt.Sprintf("w%d-%d", w, i), base))
					case 1:
						s := newScreening(fmt.Sprintf("scr_w%d_%d", w, i), "key_1", fmt.Sprintf("REF-%d-%d", w, i), "acme", base)
						err = st.SaveScreening(ctx, s, newCase("case"+s.ID[3:], s, screening.CaseOpen, screening.LevelHigh, base), auditFor(screening.AuditScreening, s.ID, base))
					case 2:
						err = st.PutSuppression(ctx, screening.Suppression{CounterpartyKey: fmt.Sprintf("cp%d", w), EntryKey: fmt.Sprint(i), At: base},
							auditFor(screening.AuditSuppression, fmt.Sprintf("cp%d", w), base))
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent write: %v", err)
		}
		recs := AllAudit(t, st) // verifies the chain: no gap, no fork
		if len(recs) != writers*each {
			t.Errorf("%d audit records after %d writes", len(recs), writers*each)
		}
		subjects := map[string]bool{}
		for _, r := range recs {
			if subjects[r.Kind+r.Subject] && r.Kind != screening.AuditSuppression {
				t.Errorf("record for %s %s appended twice", r.Kind, r.Subject)
			}
			subjects[r.Kind+r.Subject] = true
		}
	})
}
