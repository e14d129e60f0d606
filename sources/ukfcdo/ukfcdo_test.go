package ukfcdo

import (
	"bytes"
	"context"
	"testing"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/internal/fuzzcheck"
)

// The primary name goes first even when the file lists an alias before it,
// and NameType casing varies in the UK file.
func TestPrimaryFirst(t *testing.T) {
	x := `<Designations><Designation><UniqueID>X1</UniqueID><Names>` +
		`<Name><Name6>Alias One</Name6><NameType>ALias</NameType><AliasStrength>Low quality a.k.a</AliasStrength></Name>` +
		`<Name><Name1>A</Name1><Name6>PRIMARY</Name6><NameType>Primary name</NameType></Name>` +
		`</Names><IndividualEntityShip>Individual</IndividualEntityShip></Designation></Designations>`
	es, err := Parse(context.Background(), bytes.NewReader([]byte(x)), "x")
	if err != nil {
		t.Fatal(err)
	}
	n := es[0].Names
	if len(n) != 2 || n[0].Value != "A PRIMARY" || n[1].Strength != screening.NameWeak || es[0].Kind != screening.KindPerson {
		t.Errorf("names = %+v", n)
	}
}

func FuzzParseUK(f *testing.F) {
	f.Add(fuzzcheck.Seed(f, "../../testdata/lists/uk_fcdo/uk_fixture.xml"))
	f.Add([]byte(`<Designations><Designation><UniqueID>A</UniqueID><Names><Name><Name6>B</Name6></Name></Names></Designation></Designations>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := Parse(context.Background(), bytes.NewReader(data), "fuzz")
		fuzzcheck.Result(t, es, err)
	})
}
