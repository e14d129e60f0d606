package screening_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
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
	// Paced (as the service runs it beside live screenings): once before
	// each counterparty.
	paced := 0
	r := &screening.Rescreener{Store: st, Settings: settings, Now: time.Now, Window: 24 * time.Hour, Pace: func() { paced++ }}
	rep, err := r.Run(ctx, next, delta)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counterparties != 2 || rep.Cases != 1 {
		t.Fatalf("report %+v, want 2 counterparties and 1 case", rep)
	}
	if paced != 2 {
		t.Errorf("paced %d times for 2 counterparties", paced)
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
	// Running the same delta again (another replica, a restart) opens nothing new.
	rep, err = r.Run(ctx, next, delta)
	if err != nil || rep.Cases != 0 {
		t.Fatalf("second run %+v (%v), want no new case", rep, err)
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
