package eufsf

import (
	"bytes"
	"context"
	"testing"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/internal/fuzzcheck"
)

// A weak first alias still becomes the primary name: an entry needs one.
func TestFirstAliasIsPrimary(t *testing.T) {
	x := `<export><sanctionEntity logicalId="1"><subjectType code="enterprise"/>` +
		`<nameAlias wholeName="" firstName="" lastName=""/>` +
		`<nameAlias wholeName="Alpha" strong="false"/><nameAlias wholeName="Beta" strong="false"/>` +
		`<citizenship countryIso2Code="00" countryDescription="UNKNOWN"/></sanctionEntity></export>`
	es, err := Parse(context.Background(), bytes.NewReader([]byte(x)), "x")
	if err != nil {
		t.Fatal(err)
	}
	n := es[0].Names
	if len(n) != 2 || n[0].Strength != screening.NamePrimary || n[1].Strength != screening.NameWeak || es[0].Countries != nil || es[0].Attributes != nil {
		t.Errorf("entry = %+v", es[0])
	}
}

func FuzzParseEU(f *testing.F) {
	f.Add(fuzzcheck.Seed(f, "../../testdata/lists/eu_fsf/eu_fixture.xml"))
	f.Add([]byte(`<export><sanctionEntity logicalId="1"><nameAlias firstName="A" lastName="B"/></sanctionEntity></export>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := Parse(context.Background(), bytes.NewReader(data), "fuzz")
		fuzzcheck.Result(t, es, err)
	})
}
