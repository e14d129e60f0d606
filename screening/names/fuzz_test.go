package names

import (
	"math"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"株式会社ABC商事", "ＡＢＣ商事（株）", "ABC Shoji Co., Ltd.", "Сергей Викторович Лавров", "ｶﾌﾞｼｷｶﾞｲｼｬ ﾄﾖﾀ",
	"コリア・クァンソン・トレーディング・コーポレーション", "Usāma bin Muhammad ibn Awad ibn Lādin", "محمد بن سلمان",
	"华为技术有限公司", "김정은", "Κυριάκος Μητσοτάκης", "A.B.C. Company", "Brigade Forty 4", "Ig0r Sech1n",
	"'Ndrangheta", "Deutsche Bank's AG", "\xff\xfe", "", "ッ", "ー", "ンー", "a'", "&&", "S.A. de C.V.",
}

// FuzzNormalise checks that any input normalises without panic into tokens
// with text, valid UTF-8, and ASCII Latin forms (the similarity functions
// work on bytes).
func FuzzNormalise(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tk := range Normalise(s) {
			if tk.Text == "" || !utf8.ValidString(tk.Text) {
				t.Fatalf("Normalise(%q): bad token text %q", s, tk.Text)
			}
			for _, form := range append([]string{tk.Latin}, tk.Alt...) {
				for i := 0; i < len(form); i++ {
					if form[i] >= 0x80 {
						t.Fatalf("Normalise(%q): form %q of %q is not ASCII", s, form, tk.Text)
					}
				}
			}
		}
	})
}

// FuzzKey checks that Key is idempotent and writes valid UTF-8.
func FuzzKey(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		if !utf8.ValidString(k) {
			t.Fatalf("Key(%q) = %q is not valid UTF-8", s, k)
		}
		if k2 := Key(k); k2 != k {
			t.Fatalf("Key(%q) = %q but Key of that = %q", s, k, k2)
		}
	})
}

// FuzzCompare checks that scores stay in 0..1 and that Compare is
// symmetric within a small tolerance (greedy alignment may break ties
// differently).
func FuzzCompare(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+3)%len(fuzzSeeds)])
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab := Compare(a, b, CompareOptions{})
		ba := Compare(b, a, CompareOptions{})
		if ab.Score < 0 || ab.Score > 1 || math.IsNaN(ab.Score) {
			t.Fatalf("Compare(%q, %q) = %v out of range", a, b, ab.Score)
		}
		if math.Abs(ab.Score-ba.Score) > 0.05 {
			t.Fatalf("Compare(%q, %q) = %.3f but reversed %.3f", a, b, ab.Score, ba.Score)
		}
	})
}
