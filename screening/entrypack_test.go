package screening

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestEntryPackRoundTrip(t *testing.T) {
	full := Entry{
		Source: "meti_eul", SourceID: "312", Kind: KindOrganisation,
		Names: []EntryName{
			{Value: "Beihang University", Strength: NamePrimary, Script: "Latn"},
			{Value: "北京航空航天大学", Strength: NameStrong, Script: "Hani"},
			{Value: "BUAA", Strength: NameWeak},
		},
		Countries:   []string{"CN"},
		Addresses:   []Address{{Street: "37 Xueyuan Rd", City: "Beijing", Postal: "100191", Country: "CN"}, {Full: "Haidian District"}},
		Identifiers: []Identifier{{Type: "tax", Value: "X-1", Country: "CN"}},
		Programs:    []string{"CW", "N"},
		ListedOn:    "2025-09-29", SourceURL: "https://www.meti.go.jp/", Remarks: "=cmd|' /C calc'!A0 \x00 \u00e9",
		Attributes: map[string]string{"懸念区分": "ミサイル", "call_sign": "", "": "empty key"},
	}
	long := Entry{Source: "us_csl", SourceID: "SDN:1", Kind: KindPerson,
		Names: []EntryName{{Value: strings.Repeat("ア", 5000), Strength: NamePrimary}}}
	tests := []struct {
		name    string
		entries []Entry
	}{
		{"none", nil},
		{"every field", []Entry{full}},
		{"only the key", []Entry{{Source: "un_sc", SourceID: "6907994"}}},
		{"empty strings", []Entry{{}}},
		{"long name then short", []Entry{long, full, {Source: "x", SourceID: "y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := packEntries(tt.entries[:len(tt.entries)/2], tt.entries[len(tt.entries)/2:])
			if err != nil {
				t.Fatal(err)
			}
			if p.len() != len(tt.entries) {
				t.Fatalf("len %d, want %d", p.len(), len(tt.entries))
			}
			for i, want := range tt.entries {
				if got := p.at(i); !reflect.DeepEqual(got, want) {
					t.Errorf("entry %d:\n got  %+v\n want %+v", i, got, want)
				}
				if j, ok := p.index(want.Key()); !ok || j != i {
					t.Errorf("index(%q) = %d, %v; want %d", want.Key(), j, ok, i)
				}
			}
			if _, ok := p.index("no_such:key"); ok {
				t.Error("index found a key that is not there")
			}
		})
	}
}

// TestEntryPackRandom: entries of random shape come back as they went in.
func TestEntryPackRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		const letters = "abcxyzアイ漢字 -=\x00\xff"
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	var es []Entry
	for i := range 2000 {
		e := Entry{Source: "src" + fmt.Sprint(i%3), SourceID: fmt.Sprint(i), Kind: EntryKind(word()), ListedOn: word(), Remarks: word()}
		for range rng.IntN(4) {
			e.Names = append(e.Names, EntryName{Value: word(), Strength: NameStrength(word()), Script: word()})
		}
		for range rng.IntN(3) {
			e.Countries = append(e.Countries, word())
			e.Programs = append(e.Programs, word())
			e.Addresses = append(e.Addresses, Address{word(), word(), word(), word(), word(), word()})
			e.Identifiers = append(e.Identifiers, Identifier{word(), word(), word()})
		}
		if rng.IntN(2) == 0 {
			e.Attributes = map[string]string{word(): word(), "k": word()}
		}
		es = append(es, e)
	}
	p, err := packEntries(es)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range es {
		if got := p.at(i); !reflect.DeepEqual(got, want) {
			t.Fatalf("entry %d:\n got  %+v\n want %+v", i, got, want)
		}
	}
}

// TestEntryPackCollidingKeys: a key whose hash another key took first is
// still found (the map of hashes is forced to collide here).
func TestEntryPackCollidingKeys(t *testing.T) {
	es := []Entry{{Source: "a", SourceID: "1"}, {Source: "a", SourceID: "2"}, {Source: "a", SourceID: "1"}}
	p, err := packEntries(es)
	if err != nil {
		t.Fatal(err)
	}
	// Make every key's hash point at entry 0, as a collision would, and put
	// the others where packEntries puts the loser of a collision.
	p.dups = map[string]int32{"a:2": 1}
	for h := range p.byKey {
		p.byKey[h] = 0
	}
	for key, want := range map[string]int{"a:1": 0, "a:2": 1} {
		if i, ok := p.index(key); !ok || i != want {
			t.Errorf("index(%q) = %d, %v; want %d", key, i, ok, want)
		}
	}
	// A repeated key finds its first entry and takes no room in dups.
	q, err := packEntries(es)
	if err != nil {
		t.Fatal(err)
	}
	if i, _ := q.index("a:1"); i != 0 || len(q.dups) != 0 {
		t.Errorf("repeated key: entry %d, dups %v; want the first entry and no dups", i, q.dups)
	}
}

func TestDecodeEntryRejectsDamage(t *testing.T) {
	p, err := packEntries([]Entry{{Source: "meti_eul", SourceID: "1", Names: []EntryName{{Value: "Name"}}}})
	if err != nil {
		t.Fatal(err)
	}
	raw := p.raw(0)
	for _, bad := range []string{raw[:len(raw)-1], raw + "x", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "\x05ab"} {
		if _, err := decodeEntry(bad); err == nil {
			t.Errorf("decodeEntry(%q) succeeded", bad)
		}
	}
}
