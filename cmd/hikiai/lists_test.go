package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/memcache"
)

// TestRescreenResumesAfterAStop: a list change whose re-screening the service
// stopped in the middle of is re-screened by the next start, from the record
// the store keeps; once done, nothing is pending.
func TestRescreenResumesAfterAStop(t *testing.T) {
	ctx := context.Background()
	st, settings := testStore(t)
	// Lists come in as the service imports them (the import records what
	// changed for re-screening): METI's CSV, one row per entry.
	const (
		rosoboronexport = "1,ロシア,Rosoboronexport,,\"B,C,M,N\",CW\n"
		harbin          = "2,中華人民共和国,Harbin Engineering University,,M,\n"
		tangun          = "3,北朝鮮,Tangun Trading,,M,\n"
	)
	admin := &api.LocalAdmin{Store: st, Now: time.Now, Actor: "test"}
	dir := t.TempDir()
	save := func(version string, rows ...string) {
		t.Helper()
		path := filepath.Join(dir, "meti-"+version+".csv")
		csv := "No,国名・地域名,企業名・組織名,別名,懸念区分,通常兵器\n" + strings.Join(rows, "")
		if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.ImportLists(ctx, "", []string{path}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	watcher := func(lists *screening.Lists, pace func()) *listWatcher {
		return &listWatcher{lists: lists, store: st, locks: memcache.New(memcache.Options{}), log: log, poll: time.Hour,
			rescreen: &screening.Rescreener{Store: st, Settings: settings, Now: time.Now, Log: log, Window: 24 * time.Hour, Pace: pace}}
	}
	waitPending := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			pending, err := st.RescreenPending(ctx)
			if err == nil && len(pending) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("pending %v (%v), want %d", pending, err, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// A re-screening is held in its first step once hold is set.
	var (
		hold              atomic.Bool
		once              sync.Once
		started, released = make(chan struct{}), make(chan struct{})
	)
	pace := func() {
		if hold.Load() {
			once.Do(func() { close(started) })
			<-released
		}
	}

	save("1", rosoboronexport)
	lists := &screening.Lists{}
	eng := &screening.Engine{Store: st, Settings: settings, Lists: lists, Now: time.Now, Log: log,
		Checks: []screening.Check{screening.NewDeniedPartyCheck(settings.DeniedParty, lists, st)}}
	first := watcher(lists, pace)
	first.start(ctx)
	waitPending(0) // the first import, re-screened against no one yet
	for _, name := range []string{"Harbin Engineering University", "Osaka Clean Tools K.K."} {
		s, _, err := eng.Screen(ctx, screening.ScreenRequest{KeyID: "key_1", Inquiry: screening.Inquiry{
			Customer: screening.Party{Name: name, Country: "CN"}, Items: []screening.Item{{Product: "MC-1", Quantity: 1}}}})
		if err != nil || s.CaseID != "" {
			t.Fatalf("screening %s before the change: %v, case %q", name, err, s.CaseID)
		}
	}

	// The change is imported and its re-screening starts (held in its
	// first pace step).
	hold.Store(true)
	save("2", rosoboronexport, harbin)
	first.reload(ctx)
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the list change was not re-screened")
	}

	// Another list change meanwhile goes in force at once: the running
	// re-screening does not hold the reload back.
	save("3", rosoboronexport, harbin, tangun)
	reloaded := make(chan struct{})
	go func() {
		first.reload(ctx)
		close(reloaded)
	}()
	select {
	case <-reloaded:
	case <-time.After(10 * time.Second):
		t.Fatal("a reload waited for the running re-screening")
	}
	if _, ok := lists.Current().Entry("meti_eul:3"); !ok {
		t.Fatal("the second change is not in force")
	}

	// The service stops in the middle of the re-screening.
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(released)
	}()
	first.stop()
	if pending, err := st.RescreenPending(ctx); err != nil || len(pending) != 2 {
		t.Fatalf("after the stop: pending %v, %v; want both changed entries", pending, err)
	}
	if cases, _, _ := st.ListCases(ctx, screening.CaseFilter{Limit: 10}); len(cases) != 0 {
		t.Fatalf("the cut-short run opened %d cases", len(cases))
	}

	// While another replica holds the re-screen lock, a poll leaves the
	// pending change to it.
	other := watcher(&screening.Lists{}, nil)
	if _, _, err := other.lists.Reload(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	release, ok, err := other.locks.Lock(ctx, "rescreen", time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	other.resume(ctx)
	if pending, err := st.RescreenPending(ctx); err != nil || len(pending) != 2 {
		t.Fatalf("a poll beside a running re-screening took the pending change: %v, %v", pending, err)
	}
	release()

	// The next start loads the lists and resumes it.
	next := watcher(&screening.Lists{}, nil)
	hold.Store(false)
	next.start(ctx)
	defer next.stop()
	deadline := time.Now().Add(20 * time.Second)
	for {
		cases, _, err := st.ListCases(ctx, screening.CaseFilter{Limit: 10})
		pending, perr := st.RescreenPending(ctx)
		if err == nil && perr == nil && len(cases) == 1 && len(pending) == 0 {
			if cases[0].Customer != "Harbin Engineering University" {
				t.Fatalf("resumed re-screening opened a case for %s", cases[0].Customer)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the next start did not resume: %d cases (%v), pending %v (%v)", len(cases), err, pending, perr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pendingUnreadable is a store whose pending re-screenings cannot be read
// while err is set.
type pendingUnreadable struct {
	screening.Store
	err error
}

func (s *pendingUnreadable) RescreenPending(ctx context.Context) ([]string, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.Store.RescreenPending(ctx)
}

// TestRescreenObserved: every re-screening that runs, or fails to, is
// reported (hikiai_rescreens_total and the rest), so that a list change left
// unchecked against the known counterparties raises an alert.
func TestRescreenObserved(t *testing.T) {
	ctx := context.Background()
	st, settings := testStore(t)
	admin := &api.LocalAdmin{Store: st, Now: time.Now, Actor: "test"}
	dir := t.TempDir()
	save := func(version, rows string) {
		t.Helper()
		path := filepath.Join(dir, "meti-"+version+".csv")
		if err := os.WriteFile(path, []byte("No,国名・地域名,企業名・組織名,別名,懸念区分,通常兵器\n"+rows), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.ImportLists(ctx, "", []string{path}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	lists := &screening.Lists{}
	save("1", "1,ロシア,Rosoboronexport,,\"B,C,M,N\",CW\n")
	if _, _, err := lists.Reload(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	eng := &screening.Engine{Store: st, Settings: settings, Lists: lists, Now: time.Now, Log: log,
		Checks: []screening.Check{screening.NewDeniedPartyCheck(settings.DeniedParty, lists, st)}}
	if _, _, err := eng.Screen(ctx, screening.ScreenRequest{KeyID: "key_1", Inquiry: screening.Inquiry{
		Customer: screening.Party{Name: "Harbin Engineering University", Country: "CN"}, Items: []screening.Item{{Product: "MC-1", Quantity: 1}}}}); err != nil {
		t.Fatal(err)
	}
	save("2", "1,ロシア,Rosoboronexport,,\"B,C,M,N\",CW\n2,中華人民共和国,Harbin Engineering University,,M,\n")
	if _, _, err := lists.Reload(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}

	type report struct {
		rep screening.RescreenReport
		err error
	}
	var got []report
	store := &pendingUnreadable{Store: st, err: errors.New("store down")}
	w := &listWatcher{lists: lists, store: store, locks: memcache.New(memcache.Options{}), log: log, poll: time.Hour,
		rescreen: &screening.Rescreener{Store: st, Settings: settings, Now: time.Now, Log: log, Window: 24 * time.Hour},
		observe:  func(rep screening.RescreenReport, err error, _ time.Time) { got = append(got, report{rep, err}) }}

	w.resume(ctx)
	if len(got) != 1 || got[0].err == nil {
		t.Fatalf("unreadable pending re-screenings reported %+v, want one failure", got)
	}
	store.err = nil
	w.resume(ctx)
	if len(got) != 2 || got[1].err != nil || got[1].rep.Cases != 1 || got[1].rep.Counterparties < 1 {
		t.Fatalf("the re-screening reported %+v, want one done with a case", got)
	}
	w.resume(ctx) // nothing pending: no run, no report
	if len(got) != 2 {
		t.Fatalf("a poll with nothing pending reported %+v", got[2:])
	}
}

// The duty cycle lets a build run for a slice and then sleeps it for the rest
// of its share: at 25 %, three times what it ran. A long gap starts afresh
// instead of sleeping it off, and 0 and 100 percent are not paced at all.
func TestDutyCycle(t *testing.T) {
	tests := []struct {
		name    string
		percent int
		steps   []time.Duration // clock advance before each call of pace
		want    []time.Duration
	}{
		{"25 %", 25, []time.Duration{0, 2 * ms, 2 * ms, 2 * ms, 1 * ms, 6 * ms}, []time.Duration{18 * ms, 21 * ms}},
		{"50 %", 50, []time.Duration{0, 5 * ms, 5 * ms}, []time.Duration{5 * ms, 5 * ms}},
		{"under a slice", 25, []time.Duration{0, ms, ms, ms}, nil},
		{"a gap is not slept off", 25, []time.Duration{0, time.Hour, 2 * ms, 4 * ms}, []time.Duration{18 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
			var slept []time.Duration
			d := newDutyCycle(tt.percent)
			d.now = func() time.Time { return clock }
			d.sleep = func(s time.Duration) { slept = append(slept, s); clock = clock.Add(s) }
			for _, step := range tt.steps {
				clock = clock.Add(step)
				d.pace()
			}
			if !slices.Equal(slept, tt.want) {
				t.Errorf("slept %v, want %v", slept, tt.want)
			}
		})
	}
	for percent, paced := range map[int]bool{0: false, 1: true, 25: true, 99: true, 100: false} {
		if got := reloadPace(percent) != nil; got != paced {
			t.Errorf("reloadPace(%d): paced %v, want %v", percent, got, paced)
		}
	}
}

const ms = time.Millisecond
