package sources

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/screeningtest"
	"github.com/hikiai/hikiai/sources/internal/golden"
	"github.com/xuri/excelize/v2"
)

// fixture returns the path of a fixture under the module's testdata/lists.
func fixture(t *testing.T, parts ...string) string {
	t.Helper()
	root, err := screeningtest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root, "testdata", "lists"}, parts...)...)
}

// The fixtures cover each text format with its quirks; the golden files
// hold every entry in full, so any change in mapping shows in review.
func TestFixtures(t *testing.T) {
	tests := []struct {
		golden string
		files  []string
		format string
		source string
		count  int
	}{
		{"fixture_meti_eul_csv.json", []string{"meti_eul", "eul_fixture.csv"}, FormatMETICSV, "meti_eul", 6},
		{"fixture_us_csl_json.json", []string{"us_csl", "csl_fixture.json"}, FormatCSLJSON, "us_csl", 3},
		{"fixture_us_csl_csv.json", []string{"us_csl", "csl_fixture.csv"}, FormatCSLCSV, "us_csl", 2},
		{"fixture_ofac_csv.json", []string{"ofac_sdn"}, FormatOFAC, "ofac_sdn", 4},
		{"fixture_ofac_cons_csv.json", []string{"ofac_cons"}, FormatOFACCons, "ofac_cons", 2},
		{"fixture_bis_dpl.json", []string{"bis_dpl", "dpl_fixture.txt"}, FormatDPL, "bis_dpl", 4},
		{"fixture_un_xml.json", []string{"un_sc", "un_fixture.xml"}, FormatUN, "un_sc", 3},
		{"fixture_eu_xml.json", []string{"eu_fsf", "eu_fixture.xml"}, FormatEU, "eu_fsf", 2},
		{"fixture_uk_xml.json", []string{"uk_fcdo", "uk_fixture.xml"}, FormatUK, "uk_fcdo", 3},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			path := fixture(t, tt.files...)
			got, err := Detect(path)
			if err != nil || got != tt.format {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tt.format)
			}
			source, entries, err := Parse(context.Background(), "", path)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if source != tt.source || len(entries) != tt.count {
				t.Fatalf("Parse = %s with %d entries, want %s with %d", source, len(entries), tt.source, tt.count)
			}
			_, again, err := Parse(context.Background(), tt.format, path)
			if err != nil || !reflect.DeepEqual(entries, again) {
				t.Fatalf("explicit format gave different entries (err %v)", err)
			}
			checkEntries(t, entries)
			golden.Check(t, tt.golden, entries)
		})
	}
}

// checkEntries asserts what every parser promises about each entry.
func checkEntries(t *testing.T, entries []screening.Entry) {
	t.Helper()
	for _, e := range entries {
		if e.SourceID == "" || len(e.Names) == 0 || e.Names[0].Strength != screening.NamePrimary {
			t.Fatalf("entry %s lacks an id or a primary name: %+v", e.Key(), e)
		}
		for i, n := range e.Names {
			if strings.TrimSpace(n.Value) == "" || n.Value != strings.TrimSpace(n.Value) {
				t.Errorf("entry %s name %d is blank or untrimmed: %q", e.Key(), i, n.Value)
			}
			if i > 0 && n.Strength == screening.NamePrimary {
				t.Errorf("entry %s has a second primary name %q", e.Key(), n.Value)
			}
		}
		for _, c := range e.Countries {
			if len(c) != 2 || strings.ToUpper(c) != c {
				t.Errorf("entry %s has country %q, want an upper-case alpha-2 code", e.Key(), c)
			}
		}
	}
}

// names returns the names of one strength that the list gives, leaving out
// those read out of brackets (spellings_test.go looks at those).
func names(e screening.Entry, strength screening.NameStrength) []string {
	var out []string
	for _, n := range e.Names {
		if n.Strength == strength && n.From == "" {
			out = append(out, n.Value)
		}
	}
	return out
}

func byID(t *testing.T, entries []screening.Entry, id string) screening.Entry {
	t.Helper()
	for _, e := range entries {
		if e.SourceID == id {
			return e
		}
	}
	t.Fatalf("no entry %q", id)
	return screening.Entry{}
}

// Spot checks on the fixtures: the quirk each fixture row was written for.
func TestFixtureQuirks(t *testing.T) {
	ctx := context.Background()
	_, meti, err := Parse(ctx, FormatMETICSV, fixture(t, "meti_eul", "eul_fixture.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := byID(t, meti, "2").Names; len(got) != 5 || got[4].Value != "ハンビョル・トレーディング" || got[4].Script != "Jpan" {
		t.Errorf("METI middle dot inside a katakana alias must not split it: %+v", got)
	}
	if got := names(byID(t, meti, "1"), screening.NameStrong); !reflect.DeepEqual(got, []string{"EPM Co.", "Example Precision Machinery Works"}) {
		t.Errorf("METI alias continued on the next line: %q", got)
	}
	if a := byID(t, meti, "5").Attributes["unmapped_countries"]; !strings.Contains(a, "Atlantis") {
		t.Errorf("unknown country should be kept raw, attributes %v", byID(t, meti, "5").Attributes)
	}

	_, sdn, err := Parse(ctx, FormatOFAC, fixture(t, "ofac_sdn"))
	if err != nil {
		t.Fatal(err)
	}
	trading := byID(t, sdn, "90102")
	if got := names(trading, screening.NameWeak); !reflect.DeepEqual(got, []string{"EXTRA", "EX TRADE"}) {
		t.Errorf("weak names = %q: want the weak aka row and the quoted remark alias from the comments file", got)
	}
	if trading.Attributes["former_names"] != "EXAMPLE GENERAL TRADING LLC" {
		t.Errorf("fka not recorded: %v", trading.Attributes)
	}
	var crypto []string
	for _, id := range trading.Identifiers {
		if id.Type == "crypto_address" {
			crypto = append(crypto, id.Value)
		}
	}
	if !reflect.DeepEqual(crypto, []string{"1ExampleAddr", "1ExampleAddr2"}) {
		t.Errorf("remarks continued in sdn_comments.csv: crypto addresses %q", crypto)
	}
	person := byID(t, sdn, "90101")
	if person.Attributes["birth_dates"] != "1963-07-28; circa 1965" || !reflect.DeepEqual(person.Countries, []string{"IR"}) {
		t.Errorf("remarks facts: %v %v", person.Attributes, person.Countries)
	}

	_, un, err := Parse(ctx, FormatUN, fixture(t, "un_sc", "un_fixture.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(byID(t, un, "9900001"), screening.NameWeak); !reflect.DeepEqual(got, []string{"Abu Sample"}) {
		t.Errorf("UN Low quality alias should be weak: %q", got)
	}

	_, dpl, err := Parse(ctx, FormatDPL, fixture(t, "bis_dpl", "dpl_fixture.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range dpl {
		if e.Names[0].Value == "JOHN Q SAMPLE" && len(e.Addresses) != 2 {
			t.Errorf("two DPL rows of one order should make one entry with two addresses: %+v", e.Addresses)
		}
	}
}

// realList describes one real file in ../shared/data/lists and the entries
// whose full JSON its golden summary keeps.
type realList struct {
	name   string
	parts  []string
	format string
	count  int
	ids    []string
	check  func(t *testing.T, entries []screening.Entry)
}

func countKind(entries []screening.Entry, k screening.EntryKind) int {
	n := 0
	for _, e := range entries {
		if e.Kind == k {
			n++
		}
	}
	return n
}

func countNames(entries []screening.Entry, s screening.NameStrength) int {
	n := 0
	for _, e := range entries {
		n += len(names(e, s))
	}
	return n
}

var realLists = []realList{
	{"meti_eul", []string{"meti_eul", "20250929_4.xlsx"}, FormatMETIXLSX, 835,
		[]string{"1", "300", "312", "448", "569", "806"}, func(t *testing.T, es []screening.Entry) {
			cw := 0
			for _, e := range es {
				for _, p := range e.Programs {
					if p == "CW" {
						cw++
					}
				}
				if len(e.Countries) != 1 {
					t.Errorf("METI %s: countries %v, want exactly one", e.SourceID, e.Countries)
				}
			}
			if cw != 240 {
				t.Errorf("METI entries with 通常兵器 = %d, want 240", cw)
			}
		}},
	{"jp_mof", []string{"jp_mof", "mof_shisantouketsu_20260305.xlsx"}, FormatMOFXLSX, 2862,
		[]string{"1-1", "2-3", "4-2", "14-2", "21-2", "28-1", "36-1", "37-1"}, func(t *testing.T, es []screening.Entry) {
			jpan := 0
			for _, e := range es {
				for _, n := range e.Names {
					if n.Script == "Jpan" {
						jpan++
					}
				}
			}
			if jpan < len(es) {
				t.Errorf("MOF has %d Japanese names for %d entries; each entry has a 日本語表記", jpan, len(es))
			}
		}},
	{"ofac_sdn_2021", []string{"ofac_sdn_2021"}, FormatOFAC, 8976,
		[]string{"306", "10278", "28264"}, func(t *testing.T, es []screening.Entry) {
			// alt.csv holds 11,910 aliases; the weak ones come from remarks.
			if n := countNames(es, screening.NameStrong); n < 11000 {
				t.Errorf("strong aliases = %d, want about 11,900 from alt.csv", n)
			}
			if n := countKind(es, screening.KindPerson); n != 4620 {
				t.Errorf("individuals = %d, want 4620", n)
			}
		}},
	{"ofac_sdn_sample", []string{"ofac_sdn"}, FormatOFAC, 17, []string{"33151"}, nil},
	{"ofac_cons", []string{"ofac_cons"}, FormatOFACCons, 442, []string{"9639", "17016"}, nil},
	// 14,160 rows: one pair of rows repeats the same list and id (CAP 15268)
	// and is merged, so 14,159 entries.
	{"us_csl_2022", []string{"us_csl_2022", "consolidated.csv"}, FormatCSLCSV, 14159,
		[]string{"SDN:21944", "SSI:18725", "CAP:15268", "DPL:deb7a1d5743a85c354ca1a2c7f2664e2104b32d7"}, nil},
	{"us_csl_legacy", []string{"us_csl", "csl_legacy_sample.csv"}, FormatCSLCSV, 115, []string{"SDN:20264"}, nil},
	{"us_csl_v2", []string{"us_csl", "consolidated_v2_sample.csv"}, FormatCSLCSV, 13, []string{"PLC:9673"}, nil},
	// 546 rows; rows of one denial order (same name and effective date) merge.
	{"bis_dpl", []string{"bis_dpl", "dpl.txt"}, FormatDPL, 417, nil, nil},
	{"un_sc", []string{"un_sc", "UN_consolidated_2026-02-27.xml"}, FormatUN, 1003,
		[]string{"6907994", "6908402", "690727"}, func(t *testing.T, es []screening.Entry) {
			if p, o := countKind(es, screening.KindPerson), countKind(es, screening.KindOrganisation); p != 730 || o != 273 {
				t.Errorf("UN individuals/entities = %d/%d, want 730/273", p, o)
			}
			if n := countNames(es, screening.NameWeak); n != 615 {
				t.Errorf("UN weak (Low quality) aliases = %d, want 615", n)
			}
		}},
	{"eu_fsf", []string{"eu_fsf", "eu_fsf_xml_1_1_single_entity.xml"}, FormatEU, 1, []string{"13"}, nil},
	{"uk_fcdo", []string{"uk_fcdo", "UK-Sanctions-List_trimmed_2026-09-02.xml"}, FormatUK, 2, []string{"AFG0001", "AFG0006"}, nil},
}

func TestRealLists(t *testing.T) {
	for _, rl := range realLists {
		t.Run(rl.name, func(t *testing.T) {
			path := screeningtest.SharedData(t, append([]string{"lists"}, rl.parts...)...)
			_, entries, err := Parse(context.Background(), rl.format, path)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(entries) != rl.count {
				t.Errorf("%s: %d entries, want %d", rl.name, len(entries), rl.count)
			}
			checkEntries(t, entries)
			checkListSet(t, rl.name, entries)
			if rl.check != nil {
				rl.check(t, entries)
			}
			if rl.name == "bis_dpl" {
				// DPL ids are hashes; keep the first entries of the file instead.
				var ids []string
				for _, e := range entries[:3] {
					ids = append(ids, e.SourceID)
				}
				rl.ids = ids
			}
			golden.Check(t, "real_"+rl.name+".json", golden.Summarise(t, filepath.Base(path), entries, rl.ids...))
		})
	}
}

// checkListSet: a ListSet over the entries gives every entry back as it went
// in, by position and by key (the set keeps them encoded, see entrypack.go).
func checkListSet(t *testing.T, name string, entries []screening.Entry) {
	t.Helper()
	set, err := screening.NewListSet([]screening.ListSnapshot{{Source: name, Version: "v", Entries: entries}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != len(entries) {
		t.Fatalf("set of %d entries, want %d", set.Len(), len(entries))
	}
	for i := range entries {
		want, _ := json.Marshal(&entries[i])
		got, _ := json.Marshal(set.EntryAt(i))
		if string(got) != string(want) {
			t.Fatalf("entry %d from the set:\n got  %s\n want %s", i, got, want)
		}
		byKey, ok := set.Entry(entries[i].Key())
		if !ok || byKey.Key() != entries[i].Key() {
			t.Fatalf("Entry(%q) = %v, %v", entries[i].Key(), byKey, ok)
		}
	}
}

func TestDetectReal(t *testing.T) {
	for _, rl := range realLists {
		path := screeningtest.SharedData(t, append([]string{"lists"}, rl.parts...)...)
		if got, err := Detect(path); err != nil || got != rl.format {
			t.Errorf("Detect(%s) = %q, %v; want %q", rl.name, got, err, rl.format)
		}
	}
}

// Workbooks whose sheet names say nothing are told apart by header rows.
func TestDetectWorkbookByHeader(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		header []any
		want   string
	}{
		{[]any{"No.", "国名・地域名", "企業名・組織名", "別名", "懸念区分", "通常兵器"}, FormatMETIXLSX},
		{[]any{"告示日付", "告示番号", "日本語表記", "英語表記"}, FormatMOFXLSX},
	} {
		f := excelize.NewFile()
		if err := f.SetSheetRow("Sheet1", "A2", &tt.header); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, tt.want+".xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if got, err := Detect(path); err != nil || got != tt.want {
			t.Errorf("Detect = %q, %v; want %q", got, err, tt.want)
		}
	}
}

func TestSnapshot(t *testing.T) {
	_, entries, err := Parse(context.Background(), FormatUN, fixture(t, "un_sc", "un_fixture.xml"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("JST", 9*3600))
	a := Snapshot("un_sc", entries, []string{"/tmp/x/un_fixture.xml"}, now)
	reversed := make([]screening.Entry, len(entries))
	for i := range entries {
		reversed[len(entries)-1-i] = entries[i]
	}
	b := Snapshot("un_sc", reversed, nil, now)
	if a.Version != b.Version || len(a.Version) != 32 {
		t.Errorf("version depends on input order: %s vs %s", a.Version, b.Version)
	}
	if a.Count != 3 || a.Entries[0].SourceID != "9900001" || !a.ImportedAt.Equal(now) || a.ImportedAt.Location() != time.UTC {
		t.Errorf("snapshot = count %d first %s at %v", a.Count, a.Entries[0].SourceID, a.ImportedAt)
	}
	if !reflect.DeepEqual(a.Files, []string{"un_fixture.xml"}) {
		t.Errorf("files = %q, want base names only", a.Files)
	}
	if reversed[0].SourceID != "9900003" {
		t.Error("Snapshot sorted its input slice in place")
	}
	changed := append([]screening.Entry(nil), entries...)
	changed[1].Remarks = "changed"
	if c := Snapshot("un_sc", changed, nil, now); c.Version == a.Version {
		t.Error("a changed entry must change the version")
	}
	if e := Snapshot("un_sc", nil, nil, now); e.Version == a.Version || e.Count != 0 {
		t.Error("empty snapshot")
	}
}

// Bad files are refused with the file, the place and the reason.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, file, format, content string
		where, reason               string // substrings of the error
	}{
		{"bad xml", "un.xml", FormatUN, "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>\n<FIRST_NAME>A</FIRST_NAME></INDIVIDUALS>", "line", "malformed XML"},
		{"un no name", "un.xml", FormatUN, "<CONSOLIDATED_LIST><INDIVIDUALS>\n<INDIVIDUAL><DATAID>7</DATAID><FIRST_NAME> </FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>", "INDIVIDUAL at line 2", "no name"},
		{"un wrong root", "un.xml", FormatUN, "<Designations/>", "line 1", "want CONSOLIDATED_LIST"},
		{"eu no name", "eu.xml", FormatEU, `<export><sanctionEntity logicalId="5"><nameAlias wholeName=""/></sanctionEntity></export>`, `logicalId "5"`, "no nameAlias"},
		{"uk no id", "uk.xml", FormatUK, "<Designations><Designation><Names><Name><Name6>X</Name6></Name></Names></Designation></Designations>", "Designation at line 1", "no UniqueID"},
		{"csl wrong columns", "csl.csv", FormatCSLCSV, "a,b,c\n1,2,3\n", "line 1", `lacks the column "source"`},
		{"csl short row", "csl.csv", FormatCSLCSV, "source,name,programs\nSDN,X,Y\nSDN,Z\n", "line 3", "2 fields"},
		{"csl no name", "csl.csv", FormatCSLCSV, "source,name\nX (SDN),\n", "line 2", "no name"},
		{"csl json not object", "csl.json", FormatCSLJSON, `{"results":[{"name":"A","source":"S"}, 5]}`, "results[1]", "not an object"},
		{"csl json syntax", "csl.json", FormatCSLJSON, "{\n\"results\": [\n{\"name\": }]}", "line 3", "malformed JSON"},
		{"csl json bad type", "csl.json", FormatCSLJSON, `{"results":[{"name":"A","alt_names":{"x":1}}]}`, "results[0]", "alt_names"},
		{"dpl short row", "dpl.txt", FormatDPL, "Name\tEffective_Date\tCountry\nA\t01/01/2020\tUS\nB\t01/01/2020\n", "line 3", "2 fields"},
		{"dpl no name", "dpl.txt", FormatDPL, "Name\tEffective_Date\n\t01/01/2020\n", "line 2", "no name"},
		{"meti csv header", "eul.csv", FormatMETICSV, "a,b\n1,2\n", "line 1", "lacks the End User List columns"},
		{"meti csv no name", "eul.csv", FormatMETICSV, "No,国名,企業名,別名,懸念区分\n1,イラン,,,M\n", "line 2", "no company"},
		{"meti csv bad number", "eul.csv", FormatMETICSV, "No,国名,企業名,別名,懸念区分\nx,イラン,A,,M\n", "line 2", "not a positive number"},
		{"empty list", "un.xml", FormatUN, "<CONSOLIDATED_LIST/>", "", "no INDIVIDUAL"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, entries, err := Parse(context.Background(), tt.format, path)
			if err == nil || entries != nil {
				t.Fatalf("Parse = %d entries, %v; want an error and no entries", len(entries), err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.File != path || !strings.Contains(pe.Location, tt.where) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error = %q (file %q, location %q); want location ~%q, reason ~%q", err, pe.File, pe.Location, tt.where, tt.reason)
			}
		})
	}
}

func TestParseOFACErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sdn.csv", "1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,\"B\",-0- \r\n")
	write("add.csv", "")
	write("alt.csv", "")
	_, _, err := Parse(context.Background(), "", dir)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.HasSuffix(pe.File, "sdn.csv") || pe.Location != "line 2" || !strings.Contains(pe.Reason, "3 fields") {
		t.Errorf("short sdn row: %v", err)
	}
	write("sdn.csv", "1,\" \",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n")
	if _, _, err := Parse(context.Background(), "", dir); !errors.As(err, &pe) || pe.Location != "line 1" || !strings.Contains(err.Error(), "no name") {
		t.Errorf("sdn row without a name: %v", err)
	}
	os.Remove(filepath.Join(dir, "alt.csv"))
	if _, _, err := Parse(context.Background(), "", dir); err == nil || !strings.Contains(err.Error(), "alt.csv is missing") {
		t.Errorf("missing alt.csv: %v", err)
	}
}

func TestParseUsage(t *testing.T) {
	ctx := context.Background()
	if _, _, err := Parse(ctx, "nope", fixture(t, "un_sc", "un_fixture.xml")); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("unknown format: %v", err)
	}
	if _, _, err := Parse(ctx, FormatUN); err == nil {
		t.Error("no files: want an error")
	}
	if _, _, err := Parse(ctx, FormatUN, fixture(t, "un_sc", "un_fixture.xml"), fixture(t, "eu_fsf", "eu_fixture.xml")); err == nil {
		t.Error("two files for a one-file format: want an error")
	}
	dir := t.TempDir()
	odd := filepath.Join(dir, "list.csv")
	os.WriteFile(odd, []byte("x,y\n1,2\n"), 0o644)
	if _, err := Detect(odd); err == nil || !strings.Contains(err.Error(), "cannot tell") {
		t.Errorf("unknown file: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := Parse(cancelled, FormatUN, fixture(t, "un_sc", "un_fixture.xml")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if got := Formats(); len(got) != 11 || got[0] != "bis_dpl" {
		t.Errorf("Formats() = %q", got)
	}
	for _, f := range Formats() {
		if _, ok := SourceOf(f); !ok {
			t.Errorf("SourceOf(%s) unknown", f)
		}
	}
}
