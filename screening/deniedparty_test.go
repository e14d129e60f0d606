package screening

import (
	"context"
	"strings"
	"testing"
	"time"
)

func testListSet(t *testing.T, entries ...Entry) *Lists {
	t.Helper()
	set, err := NewListSet([]ListSnapshot{{Source: "meti_eul", Version: "v1", Entries: entries}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	l := &Lists{}
	l.Swap(set)
	return l
}

var (
	entryBeihang = Entry{Source: "meti_eul", SourceID: "101", Kind: KindOrganisation, Countries: []string{"CN"},
		Names: []EntryName{{Value: "Beijing University of Aeronautics and Astronautics", Strength: NamePrimary},
			{Value: "Beihang University", Strength: NameStrong}, {Value: "BUAA", Strength: NameWeak}}}
	entryRosatom = Entry{Source: "meti_eul", SourceID: "202", Kind: KindOrganisation, Countries: []string{"RU"},
		Names: []EntryName{{Value: "State Atomic Energy Corporation Rosatom", Strength: NamePrimary}}}
)

type fakeSuppressions map[string][]Suppression

func (f fakeSuppressions) Suppressions(_ context.Context, key string) ([]Suppression, error) {
	return f[key], nil
}

func deniedSettings() DeniedPartySettings {
	return DeniedPartySettings{Threshold: 0.75, StrongThreshold: 0.9, Points: 50, StrongPoints: 100, MaxHitsPerParty: 3}
}

func TestDeniedPartyFlagsEveryParty(t *testing.T) {
	lists := testListSet(t, entryBeihang, entryRosatom)
	check := NewDeniedPartyCheck(deniedSettings(), lists, nil)
	in := &Input{Inquiry: &Inquiry{
		Customer: Party{Name: "Shanghai Clean Trading Co., Ltd.", Country: "CN"},
		EndUser:  &Party{Name: "BEIHANG UNIVERSITY", Country: "CN"},
		Payer:    &Party{Name: "Rosatom State Atomic Energy Corporation", Country: "RU"},
		Items:    []Item{{Product: "X", Quantity: 1}},
	}}
	flags, err := check.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	byParty := map[string]Flag{}
	for _, f := range flags {
		byParty[f.Party] = f
	}
	if _, ok := byParty[RoleCustomer]; ok {
		t.Errorf("clean customer flagged: %+v", byParty[RoleCustomer])
	}
	eu, ok := byParty[RoleEndUser]
	if !ok || !eu.Block || eu.Points != 100 || eu.Evidence["entry_key"] != "meti_eul:101" || eu.Evidence["matched_name"] != "Beihang University" {
		t.Fatalf("end user flag: %+v", eu)
	}
	if !strings.Contains(eu.MessageJA, "外国ユーザーリスト") || eu.Evidence["list_version"] != "v1" || eu.Evidence["explanation"] == "" {
		t.Errorf("evidence or message incomplete: %+v", eu)
	}
	if p, ok := byParty[RolePayer]; !ok || p.Evidence["entry_key"] != "meti_eul:202" {
		t.Errorf("word-order variant of the payer not found: %+v", flags)
	}
}

func TestDeniedPartyAcronymOrWeakAliasAloneDoesNotBlock(t *testing.T) {
	check := NewDeniedPartyCheck(deniedSettings(), testListSet(t, entryBeihang), nil)
	in := &Input{Inquiry: &Inquiry{Customer: Party{Name: "BUAA", Country: "CN"}, Items: []Item{{Product: "X", Quantity: 1}}}}
	flags, err := check.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) == 0 {
		t.Fatal("BUAA should still be shown to a reviewer")
	}
	for _, f := range flags {
		if f.Block || f.Evidence["strong"] != false {
			t.Fatalf("an acronym or weak alias blocked: %+v", f)
		}
	}
}

// A party that resembles several entries is one possible match: every hit is
// shown, but the points count once, so that two "resembles" never add up to
// the block that a strong match alone may give.
func TestDeniedPartyPossibleMatchesCountOnce(t *testing.T) {
	twin := Entry{Source: "meti_eul", SourceID: "102", Kind: KindOrganisation, Countries: []string{"CN"},
		Names: []EntryName{{Value: "Beijing Unified Aero Academy", Strength: NamePrimary}, {Value: "BUAA", Strength: NameWeak}}}
	check := NewDeniedPartyCheck(deniedSettings(), testListSet(t, entryBeihang, twin), nil)
	in := &Input{Inquiry: &Inquiry{Customer: Party{Name: "BUAA", Country: "CN"}, Items: []Item{{Product: "X", Quantity: 1}}}}
	flags, err := check.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) != 2 {
		t.Fatalf("want a flag for each of the two entries: %+v", flags)
	}
	points := 0
	for _, f := range flags {
		points += f.Points
		if f.Block {
			t.Fatalf("a weak alias blocked: %+v", f)
		}
	}
	if points != deniedSettings().Points || flags[1].Evidence["points_with"] != flags[0].Evidence["entry_key"] {
		t.Errorf("points %d (want %d once), second flag's points_with %v", points, deniedSettings().Points, flags[1].Evidence["points_with"])
	}
}

// A name read out of another's brackets matches like any other; the flag
// says how the list writes it, so a reviewer can find it there.
func TestDeniedPartyNamesTheListedFormOfASpelling(t *testing.T) {
	listed := "Sergei (Sergey) Petrov"
	entry := Entry{Source: "meti_eul", SourceID: "303", Kind: KindPerson, Names: []EntryName{
		{Value: listed, Strength: NamePrimary},
		{Value: "Sergei Petrov", Strength: NameStrong, From: listed},
		{Value: "Sergey Petrov", Strength: NameStrong, From: listed},
	}}
	check := NewDeniedPartyCheck(deniedSettings(), testListSet(t, entry, entryBeihang), nil)
	for _, tt := range []struct{ party, matched, from string }{
		{"Sergey Petrov", "Sergey Petrov", listed},
		{"BEIHANG UNIVERSITY", "Beihang University", ""},
	} {
		in := &Input{Inquiry: &Inquiry{Customer: Party{Name: tt.party}, Items: []Item{{Product: "X", Quantity: 1}}}}
		flags, err := check.Run(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(flags) != 1 || !flags[0].Block || flags[0].Evidence["matched_name"] != tt.matched {
			t.Fatalf("%s: want one blocking flag on %q: %+v", tt.party, tt.matched, flags)
		}
		from, has := flags[0].Evidence["matched_name_from"]
		if (tt.from == "" && has) || (tt.from != "" && from != tt.from) {
			t.Errorf("%s: matched_name_from = %v, want %q", tt.party, from, tt.from)
		}
	}
}

func TestDeniedPartySuppressionHoldsUntilEntryChanges(t *testing.T) {
	lists := testListSet(t, entryBeihang)
	hash := entryBeihang.ContentHash()
	sup := fakeSuppressions{"beihang university": {{CounterpartyKey: "beihang university", EntryKey: "meti_eul:101", EntryHash: hash, Reason: "different school"}}}
	check := NewDeniedPartyCheck(deniedSettings(), lists, sup)
	in := &Input{Inquiry: &Inquiry{Customer: Party{Name: "Beihang University", Country: "CN"}, Items: []Item{{Product: "X", Quantity: 1}}}}
	flags, err := check.Run(context.Background(), in)
	if err != nil || len(flags) != 1 {
		t.Fatalf("flags %+v, err %v", flags, err)
	}
	if f := flags[0]; !f.Suppressed || f.Points != 0 || f.Block || f.Evidence["suppression"] == nil {
		t.Fatalf("not suppressed: %+v", f)
	}

	changed := entryBeihang
	changed.Programs = []string{"new programme"}
	check = NewDeniedPartyCheck(deniedSettings(), testListSet(t, changed), sup)
	flags, err = check.Run(context.Background(), in)
	if err != nil || len(flags) != 1 {
		t.Fatalf("flags %+v, err %v", flags, err)
	}
	if f := flags[0]; f.Suppressed || !f.Block || f.Evidence["suppression_expired"] == nil {
		t.Fatalf("a changed entry must bring the hit back: %+v", f)
	}
}

func TestDeniedPartyWithoutListsHoldsForReview(t *testing.T) {
	check := NewDeniedPartyCheck(deniedSettings(), &Lists{}, nil)
	_, err := check.Run(context.Background(), &Input{Inquiry: &Inquiry{Customer: Party{Name: "A"}}})
	var d *Degraded
	if err == nil || !strings.Contains(ReasonOf(err), "not loaded") {
		t.Fatalf("want a degraded reason, got %v (%T)", err, d)
	}
}

func TestDeltaFindsAddedAndChanged(t *testing.T) {
	prev, _ := NewListSet([]ListSnapshot{{Source: "meti_eul", Version: "1", Entries: []Entry{entryBeihang}}}, time.Now())
	changed := entryBeihang
	changed.Remarks = "updated"
	next, _ := NewListSet([]ListSnapshot{{Source: "meti_eul", Version: "2", Entries: []Entry{changed, entryRosatom}}}, time.Now())
	d := Delta(prev, next)
	if len(d) != 2 || d[0].Key() != "meti_eul:101" || d[1].Key() != "meti_eul:202" {
		t.Fatalf("delta %+v", d)
	}
	if d := Delta(next, next); len(d) != 0 {
		t.Fatalf("no change gave delta %d", len(d))
	}
}
