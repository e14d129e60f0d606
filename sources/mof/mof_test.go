package mof

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/internal/golden"
	"github.com/xuri/excelize/v2"
)

// fixtureSheets is a small MOF workbook with invented designations: an index
// sheet, a person sheet with enumerated and weak aliases, a deleted row, a
// note row and an Excel date number; a lifted regime without header; and an
// entity sheet with labelled former names and a Japanese address.
var fixtureSheets = []struct {
	name string
	rows [][]string
}{
	{"一覧", [][]string{{}, {"このファイルはテスト用です。"}, {"1", "テスト関係者（個人）"}}},
	{"1.テスト関係者（個人）", [][]string{
		{"テスト関係者（個人）"},
		{"告示日付", "告示番号", "日本語表記", "英語表記", "別名", "確定に十分でない別名", "生年月日", "国籍", "旅券番号", "住所", "その他の情報"},
		{"2020.1.10\n2021.2.3改訂", "1", "カリム・ハッサン・サンプル", "KARIM HASSAN SAMPLE\n(original script: كريم حسن)",
			"(a)カリム・サンプル（Karim Sample）、(b)サンプル、カリム（SAMPLE, Karim）", "アブー・サンプル(Abu Sample)",
			"(a)1968年4月15日\n(b)1967年", "北朝鮮", "836000001（2019年発行）", "北朝鮮平壌特別市", "テスト用の人物。"},
		{"", "", "", "", "", "", "", "", "", "", "追加の説明。"},
		{"2021.5.28削除", "2"},
		{"2022.3.1", "3(*5)", "オマール・イグザンプル", "Omar Example", "", "", "24907", "不明", "不明", "不明"},
	}},
	{"2.【解除】テスト", [][]string{{"テスト"}, {"【2016年1月22日告示廃止】"}}},
	{"3.テスト団体", [][]string{
		{"テスト団体"},
		{"告示日付", "告示番号", "日本語表記", "英語表記", "別称・旧称", "所在地"},
		{"2022.3.1", "1", "イグザンプル・トレーディング", "Example Trading LLC",
			"（別称）イグザンプル・トレード\nExample Trade\n（旧称）旧イグザンプル商会\nFormer Example Company", "12 Neglinnaya Str., Moscow, 107016, Russian Federation"},
		{"2023.4.5", "2", "サンプル・バンク", "", "(a.k.a. Sample Bank JSC; a.k.a. SB)", "ロシア連邦モスクワ市"},
	}},
}

func buildWorkbook(t testing.TB, sheets []struct {
	name string
	rows [][]string
}) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			vals := make([]any, len(row))
			for j, v := range row {
				vals[j] = v
			}
			if err := f.SetSheetRow(s.name, cell, &vals); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFixtureWorkbook(t *testing.T) {
	entries, err := ParseXLSX(context.Background(), bytes.NewReader(buildWorkbook(t, fixtureSheets)), "mof_fixture.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Fatalf("%d entries, want 4 (the deleted row and the lifted regime give none)", len(entries))
	}
	karim := entries[0]
	if karim.SourceID != "1-1" || karim.Kind != screening.KindPerson || karim.ListedOn != "2020-01-10" {
		t.Errorf("first entry = %s %s %s", karim.SourceID, karim.Kind, karim.ListedOn)
	}
	if !strings.Contains(karim.Remarks, "追加の説明。") {
		t.Errorf("note row not joined to the remarks: %q", karim.Remarks)
	}
	var weak []string
	for _, n := range karim.Names {
		if n.Strength == screening.NameWeak {
			weak = append(weak, n.Value)
		}
	}
	if !reflect.DeepEqual(weak, []string{"アブー・サンプル", "Abu Sample"}) {
		t.Errorf("weak aliases = %q", weak)
	}
	if omar := entries[1]; omar.SourceID != "1-3" || omar.Attributes["birth_dates"] != "1968-03-10" || omar.Attributes["notice_number"] != "3(*5)" {
		t.Errorf("Excel date number and cross-referenced notice number: %+v", omar)
	}
	golden.Check(t, "fixture_jp_mof_xlsx.json", entries)
}

func TestErrors(t *testing.T) {
	noName := []struct {
		name string
		rows [][]string
	}{{"1.テスト", [][]string{
		{"告示日付", "告示番号", "日本語表記", "英語表記", "別名"},
		{"2020.1.1", "1", "", "", "Only An Alias"},
	}}}
	badNumber := []struct {
		name string
		rows [][]string
	}{{"1.テスト", [][]string{
		{"告示日付", "告示番号", "日本語表記", "英語表記"},
		{"2020.1.1", "一", "テスト", "Test"},
	}}}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not a workbook", []byte("not a zip"), "not a readable xlsx"},
		{"no header", buildWorkbook(t, fixtureSheets[:1]), "no sheet has the MOF header"},
		{"no name", buildWorkbook(t, noName), `sheet "1.テスト" row 2: bad entry: no name`},
		{"bad number", buildWorkbook(t, badNumber), `row 2: bad entry: notice number "一"`},
	}
	for _, tt := range tests {
		_, err := ParseXLSX(context.Background(), bytes.NewReader(tt.data), "x.xlsx")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestSplitAliases(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"A・カビール\n (a.k.a.: A. Kabir)", []string{"A・カビール", "A. Kabir"}},
		{"アフメド・ガルバヤ、サイード、サミール・サルワン\n（Ahmed Garbaya, Sa-id, Samir Salwwan）",
			[]string{"アフメド・ガルバヤ", "サイード", "サミール・サルワン", "Ahmed Garbaya", "Sa-id", "Samir Salwwan"}},
		{"(a)アリ、ヤシン・バイナフ、(b)バイナフ、ヤシン\n(a)ALI, Yasin Baynah (b)BAYNAH, Yasin",
			[]string{"アリ、ヤシン・バイナフ", "バイナフ、ヤシン", "ALI, Yasin Baynah", "BAYNAH, Yasin"}},
		{"(a)フランク・カコレレ（FRANK KAKORERE）、(b)エーグル・ブラン（AIGLE BLANC）",
			[]string{"フランク・カコレレ", "FRANK KAKORERE", "エーグル・ブラン", "AIGLE BLANC"}},
		{"（別称）コリア・ヨンボン\nKorea Yonbong\n（旧称）リョンガクサン\nLyongaksan",
			[]string{"コリア・ヨンボン", "Korea Yonbong", "リョンガクサン", "Lyongaksan"}},
		{"サーズマーネ・エナジー・アトミー; エー・イー・オー・アイ\nSazeman-e Energy Atomi; AEOI ",
			[]string{"サーズマーネ・エナジー・アトミー", "エー・イー・オー・アイ", "Sazeman-e Energy Atomi", "AEOI"}},
		{"(b)サミュエル・ペーター・ムデ（Samuel Peter Mudde（1948年12月16日生まれ）",
			[]string{"サミュエル・ペーター・ムデ", "Samuel Peter Mudde"}},
		{"Sayf-Al Adl (DOB: 11 Apr. 1963. POB: Egypt)", []string{"Sayf-Al Adl"}},
		{"Abu-Shaima (original script: أبو شیماء)", []string{"أبو شیماء", "Abu-Shaima"}},
		{"不明", nil},
	}
	for _, tt := range tests {
		if got := splitAliases(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitAliases(%q)\n got  %q\n want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitEnglishName(t *testing.T) {
	latin, other := splitEnglishName("COMPAGNIE AERIENNE DES GRANDS LACS（CAGL）、 GREAT LAKES BUSINESS COMPANY（GLBC）")
	if !reflect.DeepEqual(latin, []string{"COMPAGNIE AERIENNE DES GRANDS LACS（CAGL）", "GREAT LAKES BUSINESS COMPANY（GLBC）"}) || other != nil {
		t.Errorf("two names in one cell: %q %q", latin, other)
	}
	latin, other = splitEnglishName("TARIQ GIDAR GROUP (TGG) \u202b (طارق گيدڑ گروپ:original script)")
	if !reflect.DeepEqual(latin, []string{"TARIQ GIDAR GROUP (TGG)"}) || !reflect.DeepEqual(other, []string{"طارق گيدڑ گروپ"}) {
		t.Errorf("original script written last: %q %q", latin, other)
	}
}

func TestBirthDate(t *testing.T) {
	tests := map[string]string{
		"13633":                     "1937-04-28",
		"1955":                      "1955",
		"1941年8月20日":                "1941-08-20",
		"1963年頃":                    "1963年頃",
		"Tuesday, October 07, 1952": "1952-10-07",
	}
	for in, want := range tests {
		if got := birthDate(in); got != want {
			t.Errorf("birthDate(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseMOF fuzzes the cell splitting directly (xlsx bytes rarely get
// past the zip reader) and the whole parser with workbook seeds.
func FuzzParseMOF(f *testing.F) {
	f.Add(buildWorkbook(f, fixtureSheets), "(a)カリム（Karim）、(b)サンプル")
	f.Add([]byte("PK\x03\x04"), "A・B\n (a.k.a.: C; D)")
	f.Add([]byte{}, "((（a.k.a. x (b)y））")
	f.Fuzz(func(t *testing.T, data []byte, cell string) {
		for _, a := range splitAliases(cell) {
			if strings.TrimSpace(a) == "" {
				t.Fatalf("blank alias from %q", cell)
			}
		}
		splitEnglishName(cell)
		splitJapaneseName(cell)
		entries, err := ParseXLSX(context.Background(), bytes.NewReader(data), "fuzz")
		if err != nil {
			if entries != nil {
				t.Fatal("entries returned with an error")
			}
			return
		}
		for _, e := range entries {
			if e.SourceID == "" || len(e.Names) == 0 || strings.TrimSpace(e.Names[0].Value) == "" {
				t.Fatalf("accepted entry without id or name: %+v", e)
			}
		}
	})
}
