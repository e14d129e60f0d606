package storetest

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// testEntries makes n distinct list entries with every field set, so that a
// store which loses a field or an entry is caught.
func testEntries(source string, n int) []screening.Entry {
	out := make([]screening.Entry, n)
	for i := range out {
		num := strconv.Itoa(i)
		out[i] = screening.Entry{
			Source:   source,
			SourceID: source + "-" + num,
			Kind:     screening.KindOrganisation,
			Names: []screening.EntryName{
				{Value: "Example Trading " + num + " Co.", Strength: screening.NamePrimary, Script: "Latn"},
				{Value: "例示貿易" + num + "有限公司", Strength: screening.NameStrong, Script: "Jpan"},
				{Value: "ET" + num, Strength: screening.NameWeak},
			},
			Countries:   []string{"CN", "HK"},
			Addresses:   []screening.Address{{Street: num + " Harbour Rd", City: "Hong Kong", Country: "HK"}},
			Identifiers: []screening.Identifier{{Type: "registration", Value: "REG" + strconv.Itoa(i*7919), Country: "HK"}},
			Programs:    []string{"NPWMD"},
			ListedOn:    "2024-03-01",
			SourceURL:   "https://lists.example/" + source,
			Remarks:     "test entry",
			Attributes:  map[string]string{"懸念区分": "核", "index": num},
		}
	}
	return out
}

func testSnapshots(t *testing.T, f Factory) {
	t.Run("SaveReplaceList", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		_, err := st.Snapshot(ctx, "meti_eul")
		wantCode(t, "Snapshot(none yet)", err, screening.ENOTFOUND)
		all, err := st.Snapshots(ctx)
		if err != nil || len(all) != 0 {
			t.Fatalf("Snapshots on a new store = %v, %v", all, err)
		}

		v1 := &screening.ListSnapshot{Source: "meti_eul", Version: "v1", ImportedAt: base, Files: []string{"eul.xlsx"}, Count: 3, Entries: testEntries("meti_eul", 3)}
		before := lastSeq(t, st)
		if err := st.SaveSnapshot(ctx, v1, auditFor(screening.AuditListImport, "meti_eul", base)); err != nil {
			t.Fatalf("SaveSnapshot: %v", err)
		}
		expectOneAudit(t, st, before, screening.AuditListImport, "meti_eul")
		got, err := st.Snapshot(ctx, "meti_eul")
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "Snapshot v1", got, v1)

		v2 := &screening.ListSnapshot{Source: "meti_eul", Version: "v2", ImportedAt: base.Add(time.Hour), Files: []string{"eul2.xlsx"}, Count: 2, Entries: testEntries("meti_eul", 2)}
		v2.Entries[1].Remarks = "changed"
		if err := st.SaveSnapshot(ctx, v2, auditFor(screening.AuditListImport, "meti_eul", base)); err != nil {
			t.Fatal(err)
		}
		got, err = st.Snapshot(ctx, "meti_eul")
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "Snapshot after replacing", got, v2)

		other := &screening.ListSnapshot{Source: "ofac_sdn", Version: "o1", ImportedAt: base, Count: 1, Entries: testEntries("ofac_sdn", 1)}
		empty := &screening.ListSnapshot{Source: "eu_fsf", Version: "e0", ImportedAt: base, Count: 0}
		for _, s := range []*screening.ListSnapshot{other, empty} {
			if err := st.SaveSnapshot(ctx, s, auditFor(screening.AuditListImport, s.Source, base)); err != nil {
				t.Fatal(err)
			}
		}
		got, err = st.Snapshot(ctx, "eu_fsf")
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "empty snapshot", got, empty)

		all, err = st.Snapshots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Current snapshots of every source, by source, without entries.
		want := []screening.ListSnapshot{*empty, *v2, *other}
		for i := range want {
			want[i].Entries = nil
		}
		sameJSON(t, "Snapshots", all, want)
	})

	t.Run("Large", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		ctx := ctxFor(t)
		// Lighter entries than testEntries (whose every field the small tests
		// check): the point here is size, and the race detector makes JSON slow.
		entries := make([]screening.Entry, 50000)
		for i := range entries {
			num := strconv.Itoa(i)
			entries[i] = screening.Entry{Source: "us_csl", SourceID: num, Kind: screening.KindOrganisation,
				Names: []screening.EntryName{{Value: "Example Trading " + num, Strength: screening.NamePrimary}}, Countries: []string{"CN"}}
		}
		snap := &screening.ListSnapshot{Source: "us_csl", Version: "big", ImportedAt: base, Count: len(entries), Entries: entries}
		if err := st.SaveSnapshot(ctx, snap, auditFor(screening.AuditListImport, "us_csl", base)); err != nil {
			t.Fatalf("SaveSnapshot(50,000 entries): %v", err)
		}
		got, err := st.Snapshot(ctx, "us_csl")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Entries) != len(snap.Entries) {
			t.Fatalf("large snapshot came back with %d entries, want %d", len(got.Entries), len(snap.Entries))
		}
		// Entry by entry with reflect: marshalling 50,000 entries twice more
		// would double the test's time under the race detector.
		for i := range snap.Entries {
			if !reflect.DeepEqual(got.Entries[i], snap.Entries[i]) {
				t.Fatalf("large snapshot entry %d:\n got  %+v\n want %+v", i, got.Entries[i], snap.Entries[i])
			}
		}
		meta, want := *got, *snap
		meta.Entries, want.Entries = nil, nil
		sameJSON(t, "large snapshot without entries", meta, want)

		// Replacing a large snapshot with a small one leaves only the small one.
		small := &screening.ListSnapshot{Source: "us_csl", Version: "small", ImportedAt: base.Add(time.Hour), Count: 10, Entries: testEntries("us_csl", 10)}
		if err := st.SaveSnapshot(ctx, small, auditFor(screening.AuditListImport, "us_csl", base)); err != nil {
			t.Fatal(err)
		}
		got, err = st.Snapshot(ctx, "us_csl")
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "small snapshot after the large one", got, small)
	})

	t.Run("Watch", func(t *testing.T) {
		t.Parallel()
		st := f.New(t)
		w, ok := st.(screening.ListWatcher)
		if !ok {
			t.Skip("store does not announce snapshots")
		}
		ctx, cancel := context.WithCancel(ctxFor(t))
		ch, err := w.WatchSnapshots(ctx)
		if err != nil {
			t.Fatalf("WatchSnapshots: %v", err)
		}
		for _, src := range []string{"un_sc", "uk_hmt"} {
			snap := &screening.ListSnapshot{Source: src, Version: "v1", ImportedAt: base, Count: 1, Entries: testEntries(src, 1)}
			if err := st.SaveSnapshot(ctxFor(t), snap, auditFor(screening.AuditListImport, src, base)); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-ch:
				if got != src {
					t.Errorf("announced %q, want %q", got, src)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no announcement of %s within 10 s", src)
			}
		}
		cancel()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case _, open := <-ch:
				if !open {
					return
				}
			case <-deadline:
				t.Fatal("watch channel not closed within 10 s of the context ending")
			}
		}
	})
}
