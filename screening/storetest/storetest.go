// Package storetest is the one conformance suite every screening.Store and
// screening.Cache backend passes. A backend's test calls Run (and RunCache)
// with a factory; the suite then checks every documented behaviour of the
// interface against it: paging and filters, idempotency, optimistic
// concurrency, the audit chain, history races, the outbox and durability
// across Close and reopen.
//
// The suite only uses the interface, so a behaviour it checks is a behaviour
// callers may rely on whichever backend is configured.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// Factory makes stores for the suite.
type Factory struct {
	// New returns an empty store that no other test uses. It registers its own
	// cleanup (t.Cleanup); the suite may Close the store itself first, so Close
	// must be safe to call twice.
	New func(t *testing.T) screening.Store
	// Reopen closes old and returns a new store over the same data: the same
	// file for an embedded store, a new client on the same server for Redis.
	// The suite uses it to check that everything written survives.
	Reopen func(t *testing.T, old screening.Store) screening.Store
}

// Run runs the conformance suite against the stores f makes. Subtests run in
// parallel, each on its own store.
func Run(t *testing.T, f Factory) {
	if f.New == nil || f.Reopen == nil {
		t.Fatal("storetest: Factory needs New and Reopen")
	}
	groups := []struct {
		name string
		run  func(t *testing.T, f Factory)
	}{
		{"Screenings", testScreenings},
		{"History", testHistory},
		{"OthersOnly", testOthersOnly},
		{"Cases", testCases},
		{"Suppressions", testSuppressions},
		{"Keys", testKeys},
		{"Audit", testAudit},
		{"Snapshots", testSnapshots},
		{"Webhooks", testWebhooks},
		{"Outbox", testOutbox},
		{"RescreenPending", testRescreenPending},
		{"Ping", testPing},
		{"Durability", testDurability},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, f)
		})
	}
}

// base is the suite's reference time; every record is placed relative to it so
// that orderings are known in advance.
var base = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newScreening builds a screening with enough content that a store which
// drops or mangles a field is caught by the JSON comparison.
func newScreening(id, keyID, reference, customer string, at time.Time) *screening.Screening {
	return &screening.Screening{
		Result: screening.Result{
			ID:        id,
			Reference: reference,
			Score:     72,
			Level:     screening.LevelHigh,
			Action:    screening.ActionReview,
			Flags: []screening.Flag{{
				Code: "payer_mismatch", Severity: screening.SeverityMedium, Points: 20,
				Party: screening.RolePayer, Message: "payer differs", MessageJA: "支払い元が異なる",
				Evidence: map[string]any{"customer": customer, "similarity": 0.31},
			}},
			Reasons:      []string{"list data older than 24 h"},
			ListsVersion: "v-" + id,
			ScreenedAt:   at,
		},
		KeyID:       keyID,
		BodyHash:    "hash-" + id,
		CustomerKey: customer,
		Inquiry: screening.Inquiry{
			Reference:  reference,
			Deal:       "DEAL-7",
			ReceivedAt: at,
			Customer:   screening.Party{Name: customer + " Co., Ltd.", Country: "CN", Email: "sales@example.cn"},
			Payer:      &screening.Party{Name: "Other Trading", Country: "HK"},
			Items: []screening.Item{{
				Product: "MC-5X200", Quantity: 2, HSCode: "8457.10",
				Specs: map[string]any{"axes": 5.0, "positioning_accuracy_um": 0.8},
			}},
			EndUse: "工作機械の教育用",
		},
	}
}

func newCase(id string, s *screening.Screening, status string, level screening.Level, at time.Time) *screening.Case {
	return &screening.Case{
		ID:          id,
		ScreeningID: s.ID,
		Status:      status,
		Level:       level,
		Action:      s.Action,
		Score:       s.Score,
		Customer:    s.Inquiry.Customer.Name,
		CustomerKey: s.CustomerKey,
		FlagCodes:   []string{"payer_mismatch"},
		KeyID:       s.KeyID,
		CreatedAt:   at,
		UpdatedAt:   at,
		Version:     1,
	}
}

func auditFor(kind, subject string, at time.Time) screening.AuditRecord {
	return screening.NewAuditRecord(at, kind, "key_test", subject, map[string]string{"subject": subject})
}

func saveScreening(t *testing.T, st screening.Store, s *screening.Screening, c *screening.Case) {
	t.Helper()
	if err := st.SaveScreening(ctxFor(t), s, c, auditFor(screening.AuditScreening, s.ID, s.ScreenedAt)); err != nil {
		t.Fatalf("SaveScreening(%s): %v", s.ID, err)
	}
}

// sameJSON fails when got and want marshal differently: the stores keep
// records as JSON-equivalent values, and comparing encodings avoids false
// differences in time locations.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: marshal got: %v", what, err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("%s: marshal want: %v", what, err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\n got  %s\n want %s", what, g, w)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := screening.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// AllAudit returns the whole audit chain of st and fails the test when it does
// not verify.
func AllAudit(t *testing.T, st screening.Store) []screening.AuditRecord {
	t.Helper()
	recs, err := st.Audit(ctxFor(t), screening.AuditFilter{})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if seq, err := screening.VerifyChain(nil, recs); err != nil {
		t.Fatalf("audit chain broken at %d: %v", seq, err)
	}
	return recs
}

// lastSeq is the sequence number of the newest audit record (0 for none).
func lastSeq(t *testing.T, st screening.Store) uint64 {
	t.Helper()
	recs := AllAudit(t, st)
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].Seq
}

// expectOneAudit checks that exactly one record was appended after seq, with
// the given kind and subject, and that the chain still verifies.
func expectOneAudit(t *testing.T, st screening.Store, after uint64, kind, subject string) {
	t.Helper()
	recs := AllAudit(t, st)
	var added []screening.AuditRecord
	for _, r := range recs {
		if r.Seq > after {
			added = append(added, r)
		}
	}
	if len(added) != 1 {
		t.Fatalf("%d audit records appended after %d, want exactly 1: %+v", len(added), after, added)
	}
	if r := added[0]; r.Kind != kind || r.Subject != subject || r.Seq != after+1 {
		t.Errorf("appended audit record seq %d kind %q subject %q, want seq %d kind %q subject %q",
			r.Seq, r.Kind, r.Subject, after+1, kind, subject)
	}
}

func expectNoAudit(t *testing.T, st screening.Store, after uint64, what string) {
	t.Helper()
	if got := lastSeq(t, st); got != after {
		t.Errorf("%s: audit chain moved from %d to %d, want nothing appended", what, after, got)
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}
