package names

import (
	"hash/maphash"
	"reflect"
	"testing"
)

func TestIDLists(t *testing.T) {
	in := [][]int32{{1, 2, 3}, nil, {7}, {}, {4, 5}}
	l := flattenLists(in)
	for i, want := range in {
		got := l.at(i)
		if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
			t.Errorf("at(%d) = %v, want %v", i, got, want)
		}
		if cap(got) != len(got) {
			t.Errorf("at(%d): cap %d > len %d: an append would write into the next list", i, cap(got), len(got))
		}
	}
}

func TestKeyedIDs(t *testing.T) {
	in := map[string][]int32{"tanaka": {1, 4}, "\x00田中": {2}, "": {3}, "suzuki": {9, 8, 7}}
	k := newKeyedIDs(maphash.MakeSeed(), in)
	for key, want := range in {
		got := k.get(key)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("get(%q) = %v, want %v", key, got, want)
		}
		if cap(got) != len(got) {
			t.Errorf("get(%q): cap %d > len %d", key, cap(got), len(got))
		}
	}
	if got := k.get("yamada"); got != nil {
		t.Errorf("get of a missing key = %v", got)
	}
}

func TestStringArena(t *testing.T) {
	var a stringArena
	in := []string{"tanaka", "", "tanaka", "tnk", "田中"}
	for _, s := range in {
		a.add(s)
	}
	if want := len("tanaka") + len("tnk") + len("田中"); len(a.buf) != want {
		t.Errorf("arena of %d bytes, want %d (each string once)", len(a.buf), want)
	}
	home := a.rehomer()
	for _, s := range in {
		if got := home(s); got != s {
			t.Errorf("home(%q) = %q", s, got)
		}
	}
}

// TestIndexKeepsRecords: Record gives back what NewIndex was given.
func TestIndexKeepsRecords(t *testing.T) {
	recs := []Record{
		{ID: "meti_eul:1", Names: []NameVariant{{Value: "Beihang University"}, {Value: "BUAA", Weak: true}}, Countries: []string{"CN"}, Kind: "organisation"},
		{ID: "un_sc:2", Names: []NameVariant{{Value: "Kim Jong Un"}}, Kind: "person"},
		{ID: "x:3", Names: []NameVariant{{Value: "Iran Air"}}, Countries: []string{"IR", "CN"}},
	}
	ix, err := NewIndex(recs)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range recs {
		if got := ix.Record(i); !reflect.DeepEqual(got, want) {
			t.Errorf("Record(%d) = %+v, want %+v", i, got, want)
		}
	}
}
