package listkit

import "testing"

func TestDates(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"english full", DateEnglish, "28 Jul 1963", "1963-07-28"},
		{"english long month", DateEnglish, "5 September 1970.", "1970-09-05"},
		{"english month", DateEnglish, "Jul 1963", "1963-07"},
		{"english year", DateEnglish, "1963", "1963"},
		{"english bad day", DateEnglish, "31 Feb 1963", ""},
		{"english circa", DateEnglish, "circa 1955", ""},
		{"iso", DateISO, "1946-10-14", "1946-10-14"},
		{"iso with time", DateISO, "2003-07-08T00:00:00", "2003-07-08"},
		{"iso bad", DateISO, "1946-13-14", ""},
		{"excel serial", DateExcelSerial, "13633", "1937-04-28"},
		{"excel not number", DateExcelSerial, "1955年", ""},
		{"uk full", func(s string) string { return DateSlash(s, true) }, "29/06/2012", "2012-06-29"},
		{"uk year only", func(s string) string { return DateSlash(s, true) }, "dd/mm/1945", "1945"},
		{"uk month", func(s string) string { return DateSlash(s, true) }, "dd/07/1945", "1945-07"},
		{"us", func(s string) string { return DateSlash(s, false) }, "10/16/2017", "2017-10-16"},
		{"us invalid", func(s string) string { return DateSlash(s, false) }, "16/10/2017", ""},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s: %q -> %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestScript(t *testing.T) {
	tests := map[string]string{
		"Air Koryo": "Latn",
		"ミロシェヴィッチ・スロボダン":     "Jpan",
		"朝鮮中央銀行":             "Hani",
		"Рособоронэкспорт":   "Cyrl",
		"صدام حسين التكريتي": "Arab",
		"4.27":               "",
	}
	for in, want := range tests {
		if got := Script(in); got != want {
			t.Errorf("Script(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanAndNames(t *testing.T) {
	if got := Clean("  DEPARTMENT 53\u3000OF\n THE  "); got != "DEPARTMENT 53 OF THE" {
		t.Errorf("Clean = %q", got)
	}
	var n Names
	n.Add("Air Koryo", "primary")
	n.Add("AIR KORYO", "strong")
	n.Add("Ａｉｒ Ｋｏｒｙｏ", "weak")
	n.Add("Airkoryo", "weak")
	n.Add("Airkoryo", "strong")
	n.Add("不明", "strong")
	got := n.List()
	if len(got) != 2 || got[0].Strength != "primary" || got[1].Value != "Airkoryo" || got[1].Strength != "strong" {
		t.Errorf("names = %+v", got)
	}
}

func TestReadTextWindows1252(t *testing.T) {
	got, err := ReadText(stringsReader("\xef\xbb\xbfok"))
	if err != nil || got != "ok" {
		t.Fatalf("BOM: %q %v", got, err)
	}
	got, err = ReadText(stringsReader("CAF\xc9 PARIS"))
	if err != nil || got != "CAFÉ PARIS" {
		t.Fatalf("1252: %q %v", got, err)
	}
}
