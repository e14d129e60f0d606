package names

import (
	"testing"
	"unicode/utf8"
)

func TestKey(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"株式会社ABC商事", "abc shoji"},
		{"ＡＢＣ商事（株）", "abc shoji"},
		{"ABC商事㈱", "abc shoji"},
		{"ABC Shoji Co., Ltd.", "abc shoji"},
		{"ABC SHOJI KABUSHIKI KAISHA", "abc shoji"},
		{"Siemens Aktiengesellschaft", "siemens"},
		{"SIEMENS AG", "siemens"},
		{"A.B.C. Company", "abc"},
		{"Deutsche Bank's AG", "deutsche bank"},
		{"The Coca-Cola Company", "coca cola"},
		{"Procter & Gamble Co.", "procter and gamble"},
		{"Mr. Recep Tayyip Erdoğan", "recep tayyip erdogan"},
		{"Müller & Söhne GmbH", "muller and sohne"},
		{"Korea Intl. Trading Corp.", "korea international trading"},
		// uk and gen are abbreviations in a firm's name, syllables in a person's
		{"UK Trading Ltd", "united kingdom trading"},
		{"Pae Wo'n-uk", "pae won uk"},
		{"HUANG, Wang-gen", "huang wang gen"},
		{"Gen. Dynamics Corp.", "general dynamics"},
		{"Brigade Forty-Four", "brigade 44"},
		{"Ig0r Sech1n", "igor sechin"},
		{"ООО «Ромашка»", "romashka"},
		{"Сергей Викторович Лавров", "sergey viktorovich lavrov"},
		{"トーキョー・トレーディング", "tokyo toredingu"},
		{"ｶﾌﾞｼｷｶﾞｲｼｬ ﾄﾖﾀ", "toyota"},
		{"日本シンブン株式会社", "nihon shimbun"},
		{"三菱商事株式会社", "mitsubishi shoji"},
		{"华为技术有限公司", "huawei jishu"},
		{"김정은", "gimjeongeun"},
		{"Co., Ltd.", "company limited"},
		{"", ""},
		{"  ,.; ", ""},
	}
	for _, tt := range tests {
		if got := Key(tt.name); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// The same company written differently has one key.
func TestKeySameCompany(t *testing.T) {
	groups := [][]string{
		{"株式会社ABC商事", "ＡＢＣ商事（株）", "ABC Shoji Co., Ltd.", "ABC商事㈱", "abc shoji k.k."},
		{"OOO Romashka", "ООО Ромашка", "Romashka LLC", "Romashka, L.L.C."},
		{"Samsung Electronics Co., Ltd.", "SAMSUNG ELECTRONICS CO LTD", "Samsung Electronics Company Limited"},
		{"Toyota Motor Corporation", "Toyota Motor Corp.", "TOYOTA MOTOR CORP"},
	}
	for _, g := range groups {
		want := Key(g[0])
		for _, n := range g[1:] {
			if got := Key(n); got != want {
				t.Errorf("Key(%q) = %q, want %q as for %q", n, got, want, g[0])
			}
		}
	}
}

func TestKeyIdempotent(t *testing.T) {
	for _, n := range []string{
		"株式会社ABC商事", "Co., Ltd.", "Brigade Forty-Four", "First International Bank", "イラン・イスラム共和国海運",
		"華為技術有限公司", "Usāma bin Muhammad ibn Awad ibn Lādin", "ماري تيريز أدينا أوندوا", "N.A.B.C. Company",
		"Xi Jinping", "The Walt Disney Company", "בנימין נתניהו", "エム・イー・シー", "Apollo Investment Fund VIII L.P.",
	} {
		k := Key(n)
		if k2 := Key(k); k2 != k {
			t.Errorf("Key(Key(%q)) = %q, want %q", n, k2, k)
		}
		if !utf8.ValidString(k) {
			t.Errorf("Key(%q) is not valid UTF-8", n)
		}
	}
}
