package unsc

import (
	"bytes"
	"context"
	"testing"

	"github.com/hikiai/hikiai/sources/internal/fuzzcheck"
)

func TestBirthDate(t *testing.T) {
	tests := []struct {
		in   dob
		want string
	}{
		{dob{Type: "EXACT", Date: "1946-10-14"}, "1946-10-14"},
		{dob{Type: "EXACT", Year: "1971"}, "1971"},
		{dob{Type: "APPROXIMATELY", Year: "1955"}, "circa 1955"},
		{dob{Type: "BETWEEN", FromYear: "1958", ToYear: "1963"}, "1958 to 1963"},
	}
	for _, tt := range tests {
		if got := birthDate(tt.in); got != tt.want {
			t.Errorf("birthDate(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseUN(f *testing.F) {
	f.Add(fuzzcheck.Seed(f, "../../testdata/lists/un_sc/un_fixture.xml"))
	f.Add([]byte("<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME><ENTITY_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME> </ALIAS_NAME></ENTITY_ALIAS></ENTITY></ENTITIES></CONSOLIDATED_LIST>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := Parse(context.Background(), bytes.NewReader(data), "fuzz")
		fuzzcheck.Result(t, es, err)
	})
}
