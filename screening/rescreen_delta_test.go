package screening

import (
	"context"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

// TestRescreenDeltaSet: the changed entries are indexed on their own; a
// source that changed whole is taken from the new set (its analysis reused),
// and only a source all of whose entries are in the delta counts as whole.
func TestRescreenDeltaSet(t *testing.T) {
	org := func(src, id, name string) Entry {
		return Entry{Source: src, SourceID: id, Kind: KindOrganisation, Countries: []string{"RU"},
			Names: []EntryName{{Value: name, Strength: NamePrimary}}}
	}
	meti := []Entry{org("meti_eul", "1", "Rosoboronexport"), org("meti_eul", "2", "Harbin Engineering University"), org("meti_eul", "3", "Tangun Trading")}
	csl := []Entry{org("us_csl", "a", "Mahan Air"), org("us_csl", "b", "Beihang University")}
	next, err := NewListSet([]ListSnapshot{{Source: "meti_eul", Version: "2", Entries: meti}, {Source: "us_csl", Version: "7", Entries: csl}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		es    []Entry
		n     int
		whole bool
	}{
		{"every entry", meti, 3, true},
		{"some", meti[:2], 3, false},
		{"a repeat in place of one", []Entry{meti[0], meti[1], meti[1]}, 3, false},
		{"a key the set lacks", []Entry{meti[0], meti[1], org("meti_eul", "9", "Other")}, 3, false},
	}
	for _, tt := range tests {
		if got := wholeSource(next, tt.es, tt.n); got != tt.whole {
			t.Errorf("wholeSource(%s) = %v, want %v", tt.name, got, tt.whole)
		}
	}

	paced := 0
	r := &Rescreener{Now: time.Now, Pace: func() { paced++ }}
	delta := append(append([]Entry{}, meti...), csl[1])
	set, err := r.deltaSet(context.Background(), next, delta)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 4 || paced == 0 {
		t.Fatalf("delta set of %d entries, paced %d times; want 4, paced", set.Len(), paced)
	}
	for _, e := range delta {
		if _, ok := set.Entry(e.Key()); !ok {
			t.Errorf("delta set lacks %s", e.Key())
		}
	}
	if _, ok := set.Entry(csl[0].Key()); ok {
		t.Errorf("delta set holds %s, which did not change", csl[0].Key())
	}
	for _, q := range []string{"Tangun Trading", "Beihang University"} {
		if hits := set.Search(q, names.SearchOptions{}); len(hits) == 0 || hits[0].Name != q {
			t.Errorf("search for %q in the delta set: %+v", q, hits)
		}
	}
	if hits := set.Search("Mahan Air", names.SearchOptions{}); len(hits) != 0 && hits[0].Score > 0.9 {
		t.Errorf("the delta set finds an unchanged entry: %+v", hits[0])
	}

	// Every entry changed: the delta is the set itself, nothing built.
	paced = 0
	all, err := r.deltaSet(context.Background(), next, append(append([]Entry{}, meti...), csl...))
	if err != nil || all != next || paced != 0 {
		t.Errorf("delta of every entry: %p (next %p), %v, paced %d; want next itself, unpaced", all, next, err, paced)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.deltaSet(ctx, next, []Entry{csl[1]}); err == nil {
		t.Error("a delta build after the service stopped went on")
	}
}
