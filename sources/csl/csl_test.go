package csl

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/hikiai/hikiai/sources/internal/fuzzcheck"
)

func TestParseCSVID(t *testing.T) {
	tests := []struct {
		in   string
		want ident
	}{
		{"CA, BC166787, Passport", ident{Type: "Passport", Number: "BC166787", Country: "CA"}},
		{"JO, 2014-08-30, 2009-08-31, K475336, Passport", ident{Type: "Passport", Number: "K475336", Country: "JO", ExpirationDate: "2014-08-30", IssueDate: "2009-08-31"}},
		{"Male, Gender", ident{Type: "Gender", Number: "Male"}},
		{"Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201, Secondary sanctions risk:", ident{Type: "Secondary sanctions risk:", Number: "Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201"}},
		{"IMO 8898831, Vessel Registration Identification", ident{Type: "Vessel Registration Identification", Number: "IMO 8898831"}},
	}
	for _, tt := range tests {
		if got := parseCSVID(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseCSVID(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestShortList(t *testing.T) {
	tests := map[string]string{
		"Specially Designated Nationals (SDN) - Treasury Department":                              "SDN",
		"Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department":                   "NS-MBS",
		"Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": "CMIC",
		"Some New List": "Some New List",
	}
	for in, want := range tests {
		if got := shortList(in); got != want {
			t.Errorf("shortList(%q) = %q, want %q", in, got, want)
		}
	}
}

// Rows of the same list and id merge; the same id on two lists stays apart.
func TestMerge(t *testing.T) {
	csv := "_id,source,name,alt_names,addresses\n" +
		"1,Specially Designated Nationals (SDN) - Treasury Department,A,B,\"x, US\"\n" +
		"1,Sectoral Sanctions Identifications List (SSI) - Treasury Department,A,,\n" +
		"1,Specially Designated Nationals (SDN) - Treasury Department,A,C,\"x, US\"\n"
	es, err := ParseCSV(context.Background(), bytes.NewReader([]byte(csv)), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].SourceID != "SDN:1" || len(es[0].Names) != 3 || len(es[0].Addresses) != 1 || es[1].SourceID != "SSI:1" {
		t.Errorf("merged = %+v", es)
	}
}

func FuzzParseCSL(f *testing.F) {
	f.Add(fuzzcheck.Seed(f, "../../testdata/lists/us_csl/csl_fixture.csv"), false)
	f.Add(fuzzcheck.Seed(f, "../../testdata/lists/us_csl/csl_fixture.json"), true)
	f.Add([]byte(`{"results":[{"name":"A","source":"X (Y)","ids":[{"type":"Passport","number":1}]}]}`), true)
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		parse := ParseCSV
		if asJSON {
			parse = ParseJSON
		}
		es, err := parse(context.Background(), bytes.NewReader(data), "fuzz")
		fuzzcheck.Result(t, es, err)
	})
}
