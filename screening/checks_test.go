package screening

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

// checkHistory does in memory what the engine and a store do together: record
// the entries a check names, and hand back what other screenings recorded
// under the same keys within each entry's window (both sides, edges
// included), newest first.
type checkHistory struct {
	entries []HistoryEntry
	n       int
}

var baseTime = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// input builds a validated Input for inq received at `at`.
func checkInput(t *testing.T, inq Inquiry, at time.Time) *Input {
	t.Helper()
	if inq.ReceivedAt.IsZero() {
		inq.ReceivedAt = at
	}
	if err := inq.Validate(); err != nil {
		t.Fatalf("inquiry %q is not valid: %v", inq.Reference, err)
	}
	return &Input{Inquiry: &inq, ReceivedAt: inq.ReceivedAt, Now: inq.ReceivedAt, CustomerKey: names.Key(inq.Customer.Name)}
}

// screen records in's entries (from every Indexer among cs) and runs cs on it.
func (f *checkHistory) screen(t *testing.T, in *Input, cs ...Check) []Flag {
	t.Helper()
	f.n++
	in.ScreeningID = fmt.Sprintf("scr_%03d", f.n)
	in.history = map[historyKey][]HistoryEntry{}
	var mine []HistoryEntry
	seen := map[string]bool{}
	for _, c := range cs {
		ix, ok := c.(Indexer)
		if !ok {
			continue
		}
		for _, h := range ix.History(in) {
			k := h.Kind + "\x00" + h.Key
			if h.Key == "" || seen[k] {
				continue
			}
			seen[k] = true
			h.ScreeningID, h.Reference, h.At = in.ScreeningID, in.Inquiry.Reference, in.ReceivedAt
			mine = append(mine, h)
		}
	}
	for _, h := range mine {
		var found []HistoryEntry
		for _, e := range f.entries {
			if e.Kind == h.Kind && e.Key == h.Key && e.ScreeningID != h.ScreeningID && within(e.At, h.At, h.Window) {
				found = append(found, e)
			}
		}
		sort.SliceStable(found, func(i, j int) bool { return found[i].At.After(found[j].At) })
		in.history[historyKey{h.Kind, h.Key}] = found
	}
	for _, h := range mine {
		h.Window = 0
		f.entries = append(f.entries, h)
	}
	var flags []Flag
	for _, c := range cs {
		fs, err := c.Run(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: %v", c.Code(), err)
		}
		for _, fl := range fs {
			if fl.Code != c.Code() {
				t.Errorf("check %s raised a flag with code %s", c.Code(), fl.Code)
			}
			if fl.Message == "" || fl.MessageJA == "" || fl.Points <= 0 || fl.Severity == "" || fl.Evidence == nil {
				t.Errorf("%s flag incomplete: %+v", fl.Code, fl)
			}
		}
		flags = append(flags, fs...)
	}
	return flags
}

// checkStep is one inquiry of a test sequence.
type checkStep struct {
	inq Inquiry
	at  time.Time
}

// run screens the steps in order and returns the flags of the last one.
func runCheckSteps(t *testing.T, steps []checkStep, cs ...Check) []Flag {
	t.Helper()
	var f checkHistory
	var flags []Flag
	for _, s := range steps {
		flags = f.screen(t, checkInput(t, s.inq, s.at), cs...)
	}
	return flags
}

func findFlag(flags []Flag, code string) *Flag {
	for i := range flags {
		if flags[i].Code == code {
			return &flags[i]
		}
	}
	return nil
}

func checkItem(product string, qty float64) Item { return Item{Product: product, Quantity: qty} }

func TestDefaultChecksRespectsDisabled(t *testing.T) {
	s := &Settings{}
	s.DuplicateInquiry = testDuplicateSettings()
	s.SpecUseMismatch = SpecUseSettings{Disabled: true}
	s.SharedContact = testSharedSettings()
	s.EndUserChange = EndUserChangeSettings{Disabled: true}
	s.PayerMismatch = PayerSettings{Points: 20, ForeignPoints: 35}
	var codes []string
	for _, c := range DefaultChecks(s, CheckDeps{}) {
		codes = append(codes, c.Code())
	}
	want := []string{CodeDuplicateInquiry, CodeSharedContact, CodePayerMismatch}
	if fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Errorf("checks %v, want %v", codes, want)
	}
}

// TestScreeningAuditBytes: the audit data of a screening is a struct now, and
// must encode to the bytes the map it replaced gave, so that records written
// before and after read alike.
func TestScreeningAuditBytes(t *testing.T) {
	cases := []screeningAudit{
		{},
		{Action: ActionBlock, BodyHash: "ab12", CaseID: "case_1", Customer: "株式会社<&>\"x\"", Flags: []string{"denied_party", "no_website"},
			Level: LevelHigh, ListsVersion: "v1", Reference: "PO-1\u2028", Score: 95},
		{Action: ActionProceed, Flags: []string{}},
	}
	for _, a := range cases {
		asMap := map[string]any{
			"reference": a.Reference, "customer": a.Customer, "score": a.Score, "level": a.Level,
			"action": a.Action, "flags": a.Flags, "case_id": a.CaseID, "body_hash": a.BodyHash,
			"lists_version": a.ListsVersion,
		}
		want, err := json.Marshal(asMap)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(&a)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("struct encodes to\n%s\nmap to\n%s", got, want)
		}
	}
}
