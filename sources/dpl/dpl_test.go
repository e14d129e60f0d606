package dpl

import (
	"bytes"
	"context"
	"testing"

	"github.com/hikiai/hikiai/sources/internal/fuzzcheck"
)

func TestNames(t *testing.T) {
	tests := []struct{ in, primary, alias string }{
		{"PEARL (A.K.A. NEI-CHIEN CHU) LI", "PEARL LI", "NEI-CHIEN CHU"},
		{"FUYI SUN A/K/A FRANK SUN", "FUYI SUN", "FRANK SUN"},
		{"AFSHIN (SEAN) NAGHIBI", "AFSHIN (SEAN) NAGHIBI", ""},
	}
	for _, tt := range tests {
		e := newEntry("k", tt.in, "")
		if e.Names[0].Value != tt.primary || (tt.alias != "" && (len(e.Names) != 2 || e.Names[1].Value != tt.alias)) || (tt.alias == "" && len(e.Names) != 1) {
			t.Errorf("%q gave %+v", tt.in, e.Names)
		}
	}
}

// The id of an order does not depend on the row order or the address.
func TestStableIDs(t *testing.T) {
	head := "Name\tStreet_Address\tEffective_Date\n"
	a := head + "A\tX\t01/02/2015\nB\tY\t01/02/2016\n"
	b := head + "B\tZ\t01/02/2016\nA\tW\t01/02/2015\n"
	ea, err1 := Parse(context.Background(), bytes.NewReader([]byte(a)), "a")
	eb, err2 := Parse(context.Background(), bytes.NewReader([]byte(b)), "b")
	if err1 != nil || err2 != nil || ea[0].SourceID != eb[1].SourceID || ea[1].SourceID != eb[0].SourceID {
		t.Errorf("ids differ: %v %v %+v %+v", err1, err2, ea, eb)
	}
}

func FuzzParseDPL(f *testing.F) {
	f.Add(fuzzcheck.Seed(f, "../../testdata/lists/bis_dpl/dpl_fixture.txt"))
	f.Add([]byte("Name\tEffective_Date\n\"A (AKA B\"\t13/45/2020\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := Parse(context.Background(), bytes.NewReader(data), "fuzz")
		fuzzcheck.Result(t, es, err)
	})
}
