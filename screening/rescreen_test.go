package screening_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
)

func rescreenEnv(tb testing.TB) (screening.Store, *screening.Settings) {
	tb.Helper()
	st, err := boltstore.Open(filepath.Join(tb.TempDir(), "db"), boltstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	settings, err := rules.Load("")
	if err != nil {
		tb.Fatal(err)
	}
	return st, settings
}

func listed(id, name, country string) screening.Entry {
	return screening.Entry{Source: "meti_eul", SourceID: id, Kind: screening.KindOrganisation, Countries: []string{country},
		Names: []screening.EntryName{{Value: name, Strength: screening.NamePrimary}}}
}

func TestRescreenOpensOneCasePerNewHit(t *testing.T) {
	st, settings := rescreenEnv(t)
	ctx := context.Background()
	lists := &screening.Lists{}
	eng := &screening.Engine{Store: st, Settings: settings, Lists: lists, Now: time.Now, Log: slog.New(slog.DiscardHandler),
		Checks: []screening.Check{screening.NewDeniedPartyCheck(settings.DeniedParty, lists, st)}}
	old, err := screening.NewListSet([]screening.ListSnapshot{{Source: "meti_eul", Version: "1",
		Entries: []screening.Entry{listed("1", "Rosoboronexport", "RU")}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	lists.Swap(old)
	for _, name := range []string{"Harbin Engineering University", "Osaka Clean Tools K.K."} {
		s, _, err := eng.Screen(ctx, screening.ScreenRequest{KeyID: "key_1", Inquiry: screening.Inquiry{
			Customer: screening.Party{Name: name, Country: "CN"}, Items: []screening.Item{{Product: "MC-1", Quantity: 1}}}})
		if err != nil {
			t.Fatal(err)
		}
		if s.Action != screening.ActionProceed {
			t.Fatalf("%s held before it was listed: %+v", name, s.Result)
		}
	}

	next, err := screening.NewListSet([]screening.ListSnapshot{{Source: "meti_eul", Version: "2", Entries: []screening.Entry{
		listed("1", "Rosoboronexport", "RU"), listed("2", "Harbin Engineering University", "CN")}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	delta := screening.Delta(old, next)
	if len(delta) != 1 {
		t.Fatalf("delta %d entries, want 1", len(delta))
	}
	// Paced (as the service runs it beside live screenings): while the
	// changed entries are indexed, and once before each counterparty.
	paced := 0
	r := &screening.Rescreener{Store: st, Settings: settings, Now: time.Now, Window: 24 * time.Hour, Pace: func() { paced++ }}
	rep, err := r.Run(ctx, next, delta)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counterparties != 2 || rep.Cases != 1 {
		t.Fatalf("report %+v, want 2 counterparties and 1 case", rep)
	}
	if paced < 3 {
		t.Errorf("paced %d times for 2 counterparties and an index build, want 3 or more", paced)
	}
	r.Pace = nil
	cases, _, err := st.ListCases(ctx, screening.CaseFilter{Status: screening.CaseOpen, Limit: 10})
	if err != nil || len(cases) != 1 || cases[0].Customer != "Harbin Engineering University" || cases[0].Action != screening.ActionBlock {
		t.Fatalf("cases %+v (%v)", cases, err)
	}
	audit, err := st.Audit(ctx, screening.AuditFilter{Kind: screening.AuditRescreen})
	if err != nil || len(audit) != 1 {
		t.Fatalf("rescreen audit records %d (%v), want 1", len(audit), err)
	}
	// Running the same delta again (another replica, a restart) opens nothing
	// new, and does not report the case it opened as one that held the hit
	// before (the audit trail would tell the same finding twice).
	rep, err = r.Run(ctx, next, delta)
	if err != nil || rep.Cases != 0 || rep.Known != 0 {
		t.Fatalf("second run %+v (%v), want no new case and nothing known", rep, err)
	}
	for _, kind := range []string{screening.AuditRescreen, screening.AuditRescreenHeld} {
		if audit, err := st.Audit(ctx, screening.AuditFilter{Kind: kind}); err != nil || len(audit) != map[string]int{screening.AuditRescreen: 1}[kind] {
			t.Errorf("after the second run, %d %s audit records (%v), want %d", len(audit), kind, err, map[string]int{screening.AuditRescreen: 1}[kind])
		}
	}
}

// heldEnv screens inquiries at one list version and re-screens them after the
// next, as the list watcher does.
type heldEnv struct {
	t        *testing.T
	st       screening.Store
	settings *screening.Settings
	lists    *screening.Lists
	eng      *screening.Engine
	version  int
}

func newHeldEnv(t *testing.T, entries ...screening.Entry) *heldEnv {
	st, settings := rescreenEnv(t)
	lists := &screening.Lists{}
	env := &heldEnv{t: t, st: st, settings: settings, lists: lists,
		eng: &screening.Engine{Store: st, Settings: settings, Lists: lists, Now: time.Now, Log: slog.New(slog.DiscardHandler),
			Checks: []screening.Check{screening.NewDeniedPartyCheck(settings.DeniedParty, lists, st)}}}
	env.publish(entries...)
	return env
}

// publish makes entries the new version of the METI list and returns the delta.
func (env *heldEnv) publish(entries ...screening.Entry) []screening.Entry {
	env.t.Helper()
	env.version++
	next, err := screening.NewListSet([]screening.ListSnapshot{{Source: "meti_eul", Version: fmt.Sprint(env.version), Entries: entries}}, time.Now())
	if err != nil {
		env.t.Fatal(err)
	}
	delta := screening.Delta(env.lists.Current(), next)
	env.lists.Swap(next)
	return delta
}

func (env *heldEnv) screen(in screening.Inquiry) *screening.Screening {
	env.t.Helper()
	in.Items = []screening.Item{{Product: "MC-1", Quantity: 1}}
	s, _, err := env.eng.Screen(context.Background(), screening.ScreenRequest{KeyID: "key_1", Inquiry: in})
	if err != nil {
		env.t.Fatal(err)
	}
	return s
}

func (env *heldEnv) decide(caseID, decision string) {
	env.t.Helper()
	ctx := context.Background()
	c, err := env.st.Case(ctx, caseID)
	if err != nil {
		env.t.Fatal(err)
	}
	now := time.Now().UTC()
	version := c.Version
	if err := screening.Decide(c, screening.Decision{Decision: decision, Reason: "checked the registry", KeyID: "key_admin", Role: screening.RoleAdmin, At: now}, env.settings.Cases); err != nil {
		env.t.Fatal(err)
	}
	audit := screening.NewAuditRecord(now, screening.AuditDecision, "key_admin", c.ID, map[string]any{"decision": decision})
	if err := env.st.UpdateCase(ctx, c, version, audit); err != nil {
		env.t.Fatal(err)
	}
}

func (env *heldEnv) rescreen(delta []screening.Entry) screening.RescreenReport {
	env.t.Helper()
	r := &screening.Rescreener{Store: env.st, Settings: env.settings, Now: time.Now, Window: 24 * time.Hour}
	rep, err := r.Run(context.Background(), env.lists.Current(), delta)
	if err != nil {
		env.t.Fatal(err)
	}
	return rep
}

// TestRescreenLeavesHeldHitsToTheirCase: an entry that changes (a new
// programme, an address) must not hand the reviewers a party they already
// hold or rejected for that entry; a clearance, a new entry or a hit that now
// blocks where it only resembled before goes to a person again.
func TestRescreenLeavesHeldHitsToTheirCase(t *testing.T) {
	harbin := listed("2", "Harbin Engineering University", "CN")
	changed := harbin
	changed.Programs = []string{"end user list, revision 2"}
	// A weak alias resembles (review); the next revision makes it a strong alias (block).
	weak := listed("2", "HEU Ship Institute", "CN")
	weak.Names = append(weak.Names, screening.EntryName{Value: "Harbin Engineering University", Strength: screening.NameWeak})
	strong := weak
	strong.Names = slices.Clone(weak.Names)
	strong.Names[1].Strength = screening.NameStrong
	weakChanged := weak
	weakChanged.Programs = []string{"revised"}
	other := listed("3", "Harbin Engineering University Shipbuilding Institute", "CN")
	customer := screening.Inquiry{Customer: screening.Party{Name: "Harbin Engineering University", Country: "CN"}}
	asEndUser := screening.Inquiry{Customer: screening.Party{Name: "Osaka Clean Tools K.K.", Country: "JP"},
		EndUser: &screening.Party{Name: "Harbin Engineering University", Country: "CN"}}
	for _, tc := range []struct {
		name              string
		before, after     []screening.Entry
		inquiry           screening.Inquiry
		decision          string // "" leaves the case open
		wantCases, wantKn int
	}{
		{"open case holds the changed entry", []screening.Entry{harbin}, []screening.Entry{changed}, customer, "", 0, 1},
		{"escalated case holds it", []screening.Entry{harbin}, []screening.Entry{changed}, customer, screening.DecisionEscalate, 0, 1},
		{"rejected case holds it", []screening.Entry{harbin}, []screening.Entry{changed}, customer, screening.DecisionReject, 0, 1},
		{"held as the end user of another customer", []screening.Entry{harbin}, []screening.Entry{changed}, asEndUser, "", 0, 1},
		{"a clearance was given on the old entry", []screening.Entry{harbin}, []screening.Entry{changed}, customer, screening.DecisionClear, 1, 0},
		{"a new entry beside the held one", []screening.Entry{harbin}, []screening.Entry{harbin, other}, customer, "", 1, 0},
		{"a resemblance that still resembles", []screening.Entry{weak}, []screening.Entry{weakChanged}, customer, "", 0, 1},
		{"a resemblance that now blocks", []screening.Entry{weak}, []screening.Entry{strong}, customer, "", 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newHeldEnv(t, tc.before...)
			s := env.screen(tc.inquiry)
			if s.CaseID == "" {
				t.Fatalf("no case before the change: %+v", s.Result)
			}
			if tc.decision != "" {
				env.decide(s.CaseID, tc.decision)
			}
			rep := env.rescreen(env.publish(tc.after...))
			if rep.Cases != tc.wantCases || rep.Known != tc.wantKn {
				t.Fatalf("report %+v, want %d new cases and %d known", rep, tc.wantCases, tc.wantKn)
			}
			// Each outcome is on the audit trail: a new case as rescreen, a
			// held one as rescreen_held naming the case that holds it.
			ctx := context.Background()
			made, err := env.st.Audit(ctx, screening.AuditFilter{Kind: screening.AuditRescreen})
			if err != nil || len(made) != tc.wantCases {
				t.Errorf("rescreen audit records %d (%v), want %d", len(made), err, tc.wantCases)
			}
			held, err := env.st.Audit(ctx, screening.AuditFilter{Kind: screening.AuditRescreenHeld})
			if err != nil || len(held) != tc.wantKn {
				t.Fatalf("rescreen_held audit records %d (%v), want %d", len(held), err, tc.wantKn)
			}
			if tc.wantKn == 1 && (held[0].Subject != s.CaseID || !strings.Contains(string(held[0].Data), `"entries":["meti_eul:2"]`)) {
				t.Errorf("rescreen_held record about %s: %s; want case %s and the entry", held[0].Subject, held[0].Data, s.CaseID)
			}
		})
	}
}

// TestRescreenChainHoldsItsOwnCase: a party first caught by a re-screening is
// held by that re-screening's case when the entry changes again.
func TestRescreenChainHoldsItsOwnCase(t *testing.T) {
	env := newHeldEnv(t, listed("1", "Rosoboronexport", "RU"))
	if s := env.screen(screening.Inquiry{Customer: screening.Party{Name: "Harbin Engineering University", Country: "CN"}}); s.CaseID != "" {
		t.Fatalf("held before it was listed: %+v", s.Result)
	}
	harbin := listed("2", "Harbin Engineering University", "CN")
	if rep := env.rescreen(env.publish(listed("1", "Rosoboronexport", "RU"), harbin)); rep.Cases != 1 {
		t.Fatalf("listing: %+v, want a case", rep)
	}
	harbin.Programs = []string{"revised"}
	if rep := env.rescreen(env.publish(listed("1", "Rosoboronexport", "RU"), harbin)); rep.Cases != 0 || rep.Known != 1 {
		t.Fatalf("revision: %+v, want the re-screening's case to hold it", rep)
	}
}

// BenchmarkRescreen100kAgainst1kDelta: the figure. Run with
// go test ./screening -run x -bench Rescreen -benchtime 1x
func BenchmarkRescreen100kAgainst1kDelta(b *testing.B) {
	st, settings := rescreenEnv(b)
	ctx := context.Background()
	const counterparties, deltaSize = 100_000, 1_000
	batch := make([]screening.HistoryEntry, 0, 1000)
	now := time.Now()
	for i := range counterparties {
		name := fmt.Sprintf("Counterparty %s Trading %d", syntheticWord(i), i)
		batch = append(batch, screening.HistoryEntry{Kind: screening.HistoryCounterparty, Key: fmt.Sprintf("cp-%d", i),
			ScreeningID: fmt.Sprintf("scr_%d", i), At: now, Party: "customer", Name: name, Country: "CN"})
		if len(batch) == cap(batch) {
			if _, err := st.RecordHistory(ctx, batch, 1); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	entries := make([]screening.Entry, deltaSize)
	for i := range entries {
		entries[i] = listed(fmt.Sprint(i), fmt.Sprintf("%s %s Industrial Group", syntheticWord(i*7+3), syntheticWord(i*13+5)), "CN")
	}
	next, err := screening.NewListSet([]screening.ListSnapshot{{Source: "meti_eul", Version: "x", Entries: entries}}, now)
	if err != nil {
		b.Fatal(err)
	}
	r := &screening.Rescreener{Store: st, Settings: settings, Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Window: time.Hour, Workers: 2}
	b.ResetTimer()
	for range b.N {
		rep, err := r.Run(ctx, next, entries)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Counterparties), "counterparties")
		b.ReportMetric(rep.Duration.Seconds(), "s/run")
		b.ReportMetric(float64(rep.Hits), "hits")
		b.ReportMetric(float64(rep.Cases), "cases")
	}
}

var syllables = []string{"ka", "ri", "to", "mo", "sun", "zhen", "li", "hua", "dong", "bei", "xin", "an", "tek", "ros", "vol", "mar"}

func syntheticWord(i int) string {
	w := ""
	for range 3 {
		w += syllables[i%len(syllables)]
		i /= len(syllables)
		i += 7
	}
	return w
}

// TestRescreenWithNoCounterpartiesIndexesNothing: the first import into a
// store without screenings changes every entry and re-screens no one; the
// changed entries are not indexed for nobody (at 1,000,000 entries that was
// 36 s of a core beside live screenings). The index build is paced
// (TestRescreenDeltaSet), so a pace means it ran.
func TestRescreenWithNoCounterpartiesIndexesNothing(t *testing.T) {
	st, settings := rescreenEnv(t)
	next, err := screening.NewListSet([]screening.ListSnapshot{{Source: "meti_eul", Version: "1", Entries: []screening.Entry{
		listed("1", "Rosoboronexport", "RU"), listed("2", "Harbin Engineering University", "CN")}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	paced := 0
	r := &screening.Rescreener{Store: st, Settings: settings, Now: time.Now, Window: 24 * time.Hour, Pace: func() { paced++ }}
	rep, err := r.Run(context.Background(), next, screening.Delta(nil, next))
	if err != nil || rep.DeltaEntries != 2 || rep.Counterparties != 0 {
		t.Fatalf("Run = %+v, %v; want 2 changed entries and no counterparty", rep, err)
	}
	if paced != 0 {
		t.Errorf("paced %d times: the changed entries were indexed with no one to re-screen", paced)
	}
}
