package meti

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const fixtureCSV = "../../testdata/lists/meti_eul/eul_fixture.csv"

// workbook writes rows into an xlsx the way METI lays out its file: a title
// row, then the header and the entries.
func workbook(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "ユーザーリスト"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	all := append([][]string{{"外国ユーザーリスト (fixture)"}}, rows...)
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fixtureRows(t testing.TB) [][]string {
	t.Helper()
	b, err := os.ReadFile(fixtureCSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// The xlsx and CSV forms of the same rows give the same entries.
func TestXLSXMatchesCSV(t *testing.T) {
	f, err := os.Open(fixtureCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fromCSV, err := ParseCSV(context.Background(), f, "eul_fixture.csv")
	if err != nil {
		t.Fatal(err)
	}
	fromXLSX, err := ParseXLSX(context.Background(), bytes.NewReader(workbook(t, fixtureRows(t))), "eul_fixture.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromCSV, fromXLSX) {
		t.Errorf("xlsx and csv differ:\ncsv  %+v\nxlsx %+v", fromCSV, fromXLSX)
	}
}

func TestXLSXErrors(t *testing.T) {
	rows := fixtureRows(t)
	noName := append([][]string{rows[0]}, []string{"7", "イラン", "", "・Alias only", "M"})
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not a workbook", []byte("PK\x03\x04garbage"), "not a readable xlsx"},
		{"no header", workbook(t, [][]string{{"a", "b"}, {"1", "2"}}), "no sheet has the End User List header"},
		{"no name", workbook(t, noName), `sheet "ユーザーリスト" row 3`},
		{"only header", workbook(t, rows[:1]), "no entries"},
	}
	for _, tt := range tests {
		_, err := ParseXLSX(context.Background(), bytes.NewReader(tt.data), "x.xlsx")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestSplitNameCell(t *testing.T) {
	tests := []struct {
		in      string
		primary string
		others  []string
	}{
		{"Air Koryo\n(高麗航空)", "Air Koryo", []string{"高麗航空"}},
		{"KIMIA PART SIVAN COMPANY LLC\n（KIPAS）", "KIMIA PART SIVAN COMPANY LLC （KIPAS）", nil},
		{"Chengdu RML Technology Co., Ltd.（成都雷电微力科技股份有限公司）", "Chengdu RML Technology Co., Ltd.", []string{"成都雷电微力科技股份有限公司"}},
		{"Guangzhou Tian-Hai-Xiang Aviation\nTechnology Co., Ltd.\n（広州天海翔航空科技有限公司）", "Guangzhou Tian-Hai-Xiang Aviation Technology Co., Ltd.", []string{"広州天海翔航空科技有限公司"}},
		{"DEPARTMENT 53 OF THE\u3000PEOPLE'S ARMED FORCES", "DEPARTMENT 53 OF THE PEOPLE'S ARMED FORCES", nil},
		{"セソン技術貿易", "セソン技術貿易", nil},
	}
	for _, tt := range tests {
		p, o := splitNameCell(tt.in)
		if p != tt.primary || !reflect.DeepEqual(o, tt.others) {
			t.Errorf("splitNameCell(%q) = %q, %q; want %q, %q", tt.in, p, o, tt.primary, tt.others)
		}
	}
}

func TestSplitAliasCell(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"・Al Qaeda\n・The Base", []string{"Al Qaeda", "The Base"}},
		{"・Aktsionernoe Obshchestvo Uralskiy Zavod Transportnogo\nMashinostroeniya\n・JSC Ural", []string{"Aktsionernoe Obshchestvo Uralskiy Zavod Transportnogo Mashinostroeniya", "JSC Ural"}},
		{"・Amroggang Development Bank\n(鴨緑江開発銀行)\n・Amrokkang Development Bank", []string{"Amroggang Development Bank", "鴨緑江開発銀行", "Amrokkang Development Bank"}},
		{"・BIRM\n中国航天科学技術工業集団有限公司第二研究院第二十三研究所", []string{"BIRM", "中国航天科学技術工業集団有限公司第二研究院第二十三研究所"}},
		{"TAS TECHNOLOGY CO., LIMITED", []string{"TAS TECHNOLOGY CO., LIMITED"}},
		{"・Novator Design Bureau; and\n・JSC OKB Novator", []string{"Novator Design Bureau", "JSC OKB Novator"}},
		{"・ハンビョル・トレーディング", []string{"ハンビョル・トレーディング"}},
		{"・EKT ・ESG", []string{"EKT", "ESG"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := splitAliasCell(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitAliasCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConcernCodes(t *testing.T) {
	tests := map[string][]string{
		"生物、化学、ミサイル、核\nB,C,M,N": {"B", "C", "M", "N"},
		"ミサイルM":       {"M"},
		"核\nＮ":        {"N"},
		"ミサイル、核\nM、N": {"M", "N"},
		"":            nil,
	}
	for in, want := range tests {
		if got := concernCodes(in); !reflect.DeepEqual(got, want) {
			t.Errorf("concernCodes(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseMETI feeds CSV and xlsx bytes to the parsers: they must not
// panic, and what they accept must have ids and non-blank names.
func FuzzParseMETI(f *testing.F) {
	b, err := os.ReadFile(fixtureCSV)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("No,国名,企業名,別名,懸念区分\n1,\"イラン\nIran\",\"A\n(甲)\",\"・B・C\n・D\",M\n"))
	f.Add(workbook(f, fixtureRows(f)))
	f.Fuzz(func(t *testing.T, data []byte) {
		parse := ParseCSV
		if bytes.HasPrefix(data, []byte("PK")) {
			parse = ParseXLSX
		}
		entries, err := parse(context.Background(), bytes.NewReader(data), "fuzz")
		if err != nil {
			if entries != nil {
				t.Fatal("entries returned with an error")
			}
			return
		}
		for _, e := range entries {
			if e.SourceID == "" || len(e.Names) == 0 {
				t.Fatalf("accepted entry without id or name: %+v", e)
			}
			for _, n := range e.Names {
				if strings.TrimSpace(n.Value) == "" {
					t.Fatalf("blank name in %+v", e)
				}
			}
		}
	})
}
