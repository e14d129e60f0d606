package ofac

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/internal/fuzzcheck"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

func TestReadRemarks(t *testing.T) {
	var names listkit.Names
	names.Add("X", screening.NamePrimary)
	var ids listkit.IDs
	var countries listkit.Set
	attrs := listkit.Attrs{}
	readRemarks("DOB 01 Jan 1973 to 31 Dec 1973; alt. DOB Jul 1963; POB Gaza; citizen Korea, North; alt. nationality Atlantis; "+
		"Telephone No. (218) (0)214778301; Cedula No. 123 (Colombia) issued 2010; Vessel Registration Identification IMO 9187629; "+
		"f.k.a. 'D'S SUPERMARKET'; Organization Established Date 25 Sep 2018; Something Unknown 42.",
		&names, &ids, &countries, attrs)
	want := map[string]string{
		"birth_dates":        "01 Jan 1973 to 31 Dec 1973; 1963-07",
		"birth_places":       "Gaza",
		"unmapped_countries": "Atlantis",
		"former_names":       "D'S SUPERMARKET",
		"established":        "25 Sep 2018",
	}
	if !reflect.DeepEqual(map[string]string(attrs), want) {
		t.Errorf("attrs = %v\nwant %v", attrs, want)
	}
	if !reflect.DeepEqual(countries.List(), []string{"KP"}) {
		t.Errorf("countries = %v", countries.List())
	}
	wantIDs := []screening.Identifier{
		{Type: "phone", Value: "(218) (0)214778301"},
		{Type: "cedula", Value: "123", Country: "CO"},
		{Type: "imo", Value: "9187629"},
	}
	if !reflect.DeepEqual(ids.List(), wantIDs) {
		t.Errorf("ids = %+v", ids.List())
	}
	if got := names.List(); len(got) != 2 || got[1].Value != "D'S SUPERMARKET" || got[1].Strength != screening.NameWeak {
		t.Errorf("names = %+v", got)
	}
}

func TestPrograms(t *testing.T) {
	if got := programs("NPWMD] [IFSR] [IRAN-CON-ARMS-EO"); !reflect.DeepEqual(got, []string{"NPWMD", "IFSR", "IRAN-CON-ARMS-EO"}) {
		t.Errorf("programs = %q", got)
	}
}

func FuzzParseOFAC(f *testing.F) {
	dir := "../../testdata/lists/ofac_sdn/"
	f.Add(fuzzcheck.Seed(f, dir+"sdn.csv"), fuzzcheck.Seed(f, dir+"add.csv"), fuzzcheck.Seed(f, dir+"alt.csv"), fuzzcheck.Seed(f, dir+"sdn_comments.csv"))
	f.Add([]byte("1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'B'; DOB 1960\"\r\n\x1a"), []byte{}, []byte("1,2,\"weak aka\",\"C\",-0- "), []byte("1,\"; nationality Iran\""))
	f.Fuzz(func(t *testing.T, main, add, alt, comments []byte) {
		es, err := Parse(context.Background(), SourceSDN, Files{
			Main: bytes.NewReader(main), Address: bytes.NewReader(add),
			Alias: bytes.NewReader(alt), Comments: bytes.NewReader(comments),
		})
		fuzzcheck.Result(t, es, err)
	})
}
