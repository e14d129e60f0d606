package sources

import (
	"slices"
	"testing"

	"github.com/hikiai/hikiai/screening"
)

func TestSpellOut(t *testing.T) {
	listed := "Oleh (Oleg) MORHUN (MORGUN)"
	entries := spellOut([]screening.Entry{
		{Source: "jp_mof", SourceID: "26-313", Kind: screening.KindPerson, Names: []screening.EntryName{
			{Value: listed, Strength: screening.NamePrimary, Script: "Latn"},
			{Value: "OLEG MORGUN", Strength: screening.NameStrong, Script: "Latn"}, // given by the list too
			{Value: "オレフ（オレグ）・モルフン", Strength: screening.NameStrong, Script: "Jpan"},
		}},
		{Source: "meti_eul", SourceID: "41", Kind: screening.KindOrganisation, Names: []screening.EntryName{
			{Value: "Korea Mining Development Trading Corporation (KOMID)", Strength: screening.NamePrimary},
			{Value: "Changgwang Sinyong Corporation", Strength: screening.NameWeak},
		}},
		{Source: "un_sc", SourceID: "7", Kind: screening.KindOrganisation, Names: []screening.EntryName{
			{Value: "Plain Name Trading", Strength: screening.NamePrimary},
		}},
	})
	type name struct{ value, strength, script, from string }
	got := func(e screening.Entry) []name {
		var out []name
		for _, n := range e.Names {
			out = append(out, name{n.Value, string(n.Strength), n.Script, n.From})
		}
		return out
	}
	want := [][]name{
		{
			{listed, "primary", "Latn", ""},
			{"OLEG MORGUN", "strong", "Latn", ""},
			{"オレフ（オレグ）・モルフン", "strong", "Jpan", ""},
			{"Oleh MORHUN", "strong", "Latn", listed},
			{"Oleg MORHUN", "strong", "Latn", listed},
			{"Oleh MORGUN", "strong", "Latn", listed},
			// "Oleg MORGUN" is the list's own alias, kept once, without From.
			{"オレフ・モルフン", "strong", "Jpan", "オレフ（オレグ）・モルフン"},
			{"オレグ・モルフン", "strong", "Jpan", "オレフ（オレグ）・モルフン"},
		},
		{
			{"Korea Mining Development Trading Corporation (KOMID)", "primary", "", ""},
			{"Changgwang Sinyong Corporation", "weak", "", ""},
			{"Korea Mining Development Trading Corporation", "strong", "Latn", "Korea Mining Development Trading Corporation (KOMID)"},
			{"KOMID", "weak", "Latn", "Korea Mining Development Trading Corporation (KOMID)"},
		},
		{{"Plain Name Trading", "primary", "", ""}},
	}
	for i, e := range entries {
		if g := got(e); !slices.Equal(g, want[i]) {
			t.Errorf("entry %s:\n got %q\nwant %q", e.Key(), g, want[i])
		}
	}
}
