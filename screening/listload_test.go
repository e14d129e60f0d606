package screening_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/names"
)

// readCounter is a store that counts the snapshots read with their entries.
type readCounter struct {
	screening.Store
	read      []string
	afterRead func(n int) // called after each read with the count so far, when set
}

func (s *readCounter) Snapshot(ctx context.Context, source string) (*screening.ListSnapshot, error) {
	s.read = append(s.read, source)
	snap, err := s.Store.Snapshot(ctx, source)
	if s.afterRead != nil {
		s.afterRead(len(s.read))
	}
	return snap, err
}

func listEntry(source, id, name, country string, extra ...string) screening.Entry {
	e := screening.Entry{Source: source, SourceID: id, Kind: screening.KindOrganisation, Countries: []string{country},
		Names: []screening.EntryName{{Value: name, Strength: screening.NamePrimary}}}
	for _, alias := range extra {
		e.Names = append(e.Names, screening.EntryName{Value: alias, Strength: screening.NameWeak})
	}
	return e
}

// A reload in which one list changed takes the others from the loaded set:
// it reads only the changed list, paces its build, and gives a set that
// answers every look-up and search as a set built afresh does; the delta is
// what changed in that list.
func TestReloadTakesUnchangedListsFromTheLoadedSet(t *testing.T) {
	ctx := context.Background()
	bolt, err := boltstore.Open(filepath.Join(t.TempDir(), "db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bolt.Close() })
	st := &readCounter{Store: bolt}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	save := func(source, version string, entries ...screening.Entry) {
		t.Helper()
		snap := &screening.ListSnapshot{Source: source, Version: version, ImportedAt: now, Count: len(entries), Entries: entries}
		if err := st.SaveSnapshot(ctx, snap, screening.NewAuditRecord(now, screening.AuditListImport, "test", source, nil)); err != nil {
			t.Fatal(err)
		}
	}
	meti := []screening.Entry{
		listEntry("meti_eul", "1", "Beijing University of Aeronautics and Astronautics", "CN", "北京航空航天大学", "BUAA"),
		listEntry("meti_eul", "2", "Korea Mining Development Trading Corporation", "KP", "コリア・マイニング・デベロップメント"),
	}
	var csl []screening.Entry
	for i := range 600 { // more than one pace step
		csl = append(csl, listEntry("us_csl", fmt.Sprint(i), fmt.Sprintf("Golden Star Trading %d Limited", i), "AE"))
	}
	uk := []screening.Entry{
		listEntry("uk_fcdo", "RUS0001", "Example Microelectronics JSC", "RU"),
		listEntry("uk_fcdo", "RUS0002", "Sampleov Holdings", "RU"),
	}
	save("meti_eul", "m1", meti...)
	save("us_csl", "c1", csl...)
	save("uk_fcdo", "u1", uk...)

	paced := 0
	lists := &screening.Lists{Pace: func() { paced++ }}
	// A first load given up once the lists are read (the service is asked
	// to stop while it builds) stops building and loads nothing.
	stopping, stop := context.WithCancel(ctx)
	st.afterRead = func(n int) {
		if n == 3 {
			stop()
		}
	}
	if _, first, err := lists.Reload(stopping, st, now); !errors.Is(err, context.Canceled) || first != nil || lists.Current() != nil {
		t.Fatalf("a first load given up: err %v, a set %v", err, first != nil)
	}
	st.afterRead, st.read = nil, nil
	if _, first, err := lists.Reload(ctx, st, now); err != nil || first == nil {
		t.Fatalf("first load: %v", err)
	}
	if paced != 0 {
		t.Errorf("the first load was paced %d times; nothing is served before it", paced)
	}

	changed := listEntry("uk_fcdo", "RUS0001", "Example Microelectronics Two JSC", "RU")
	added := listEntry("uk_fcdo", "RUS0003", "Tangun Trading", "KP", "檀君貿易")
	save("uk_fcdo", "u2", changed, added)

	// A reload given up while it builds (the service stops) leaves the
	// loaded set in force.
	loaded := lists.Current()
	cancelled, cancel := context.WithCancel(ctx)
	lists.Pace = cancel
	if _, next, err := lists.Reload(cancelled, st, now.Add(time.Minute)); !errors.Is(err, context.Canceled) || next != nil || lists.Current() != loaded {
		t.Fatalf("a cancelled reload: err %v, a new set %v, the loaded set kept %v", err, next != nil, lists.Current() == loaded)
	}
	lists.Pace = func() { paced++ }
	st.read = nil
	prev, next, err := lists.Reload(ctx, st, now.Add(time.Hour))
	if err != nil || next == nil || prev == nil {
		t.Fatalf("reload: prev %v, next %v, err %v", prev != nil, next != nil, err)
	}
	if !slices.Equal(st.read, []string{"uk_fcdo"}) {
		t.Errorf("the reload read %v; only the changed list needs reading", st.read)
	}
	if paced == 0 {
		t.Error("the reload was not paced")
	}

	want, err := screening.NewListSet([]screening.ListSnapshot{
		{Source: "meti_eul", Version: "m1", ImportedAt: now, Count: len(meti), Entries: meti},
		{Source: "uk_fcdo", Version: "u2", ImportedAt: now, Count: 2, Entries: []screening.Entry{changed, added}},
		{Source: "us_csl", Version: "c1", ImportedAt: now, Count: len(csl), Entries: csl},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if next.Len() != want.Len() || next.Version != want.Version {
		t.Fatalf("%d entries, version %s; want %d, %s", next.Len(), next.Version, want.Len(), want.Version)
	}
	for i, e := range want.All() {
		if got := next.EntryAt(i); !reflect.DeepEqual(got, e) {
			t.Fatalf("entry %d: %+v, want %+v", i, got, e)
		}
		if got, ok := next.Entry(e.Key()); !ok || got.Key() != e.Key() {
			t.Fatalf("Entry(%q): %v", e.Key(), ok)
		}
		for _, n := range e.Names {
			got, w := next.Search(n.Value, names.SearchOptions{}), want.Search(n.Value, names.SearchOptions{})
			if len(got) != len(w) {
				t.Fatalf("Search(%q): %d hits, want %d", n.Value, len(got), len(w))
			}
			for k := range got {
				if !reflect.DeepEqual(got[k].Hit, w[k].Hit) || !reflect.DeepEqual(*got[k].Entry, *w[k].Entry) {
					t.Fatalf("Search(%q) hit %d: %+v, want %+v", n.Value, k, got[k].Hit, w[k].Hit)
				}
			}
		}
	}
	if _, ok := next.Entry("uk_fcdo:RUS0002"); ok {
		t.Error("a removed entry is still found")
	}

	delta := screening.Delta(prev, next)
	var keys []string
	for _, e := range delta {
		keys = append(keys, e.Key())
	}
	if !slices.Equal(keys, []string{"uk_fcdo:RUS0001", "uk_fcdo:RUS0003"}) {
		t.Errorf("delta %v, want the changed and the added UK entries", keys)
	}
}
