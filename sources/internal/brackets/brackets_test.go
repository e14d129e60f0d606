package brackets

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// The names are as MOF, the UN and METI write them.
func TestSpell(t *testing.T) {
	tests := []struct {
		name   string
		person bool
		want   []string // "*" marks a short (weak) spelling
	}{
		{"Sergei (Sergey) Petrov", true, []string{"Sergei Petrov", "Sergey Petrov"}},
		{"Aleksandr(Alexander/Oleksandr) KOFMAN", true, []string{"Aleksandr KOFMAN", "Alexander KOFMAN", "Oleksandr KOFMAN"}},
		{"Yevgeniy (Evgenii, Evgeni) Ditrikh (Ditrih, Dietrich)", true, []string{
			"Yevgeniy Ditrikh", "Evgenii Ditrikh", "Evgeni Ditrikh",
			"Yevgeniy Ditrih", "Evgenii Ditrih", "Evgeni Ditrih",
			"Yevgeniy Dietrich", "Evgenii Dietrich", "Evgeni Dietrich"}},
		{"Irina Beljkh（Belykh)", true, []string{"Irina Beljkh", "Irina Belykh"}},
		{"Yevgeniy(Yevhen/ Evgeny) MIKHAYLOV(MYKHAYLOV)", true, []string{
			"Yevgeniy MIKHAYLOV", "Yevhen MIKHAYLOV", "Evgeny MIKHAYLOV",
			"Yevgeniy MYKHAYLOV", "Yevhen MYKHAYLOV", "Evgeny MYKHAYLOV"}},
		{"ジョナタン（ジョナサン、ナタン）・ジメンコフ", true, []string{"ジョナタン・ジメンコフ", "ジョナサン・ジメンコフ", "ナタン・ジメンコフ"}},
		{"Kenji (Akatsuki) Mori", true, []string{"Kenji Mori", "Akatsuki Mori"}},
		{"Irina Smirnova (f.k.a. Petrova)", true, []string{"Irina Smirnova", "Irina Petrova"}},
		{"タチヤーナ ・モスカリコヴァ（旧称：ノセンコ）", true, []string{"タチヤーナ ・モスカリコヴァ", "タチヤーナ ・ノセンコ"}},
		// Notes, titles and places are dropped, never names of their own.
		{"Arefullah Aref (formerly listed as)", true, []string{"Arefullah Aref"}},
		{"アレフラー・アレフ(以前掲載の氏名)", true, []string{"アレフラー・アレフ"}},
		{"EL PARA (COMBAT NAME)", true, []string{"EL PARA"}},
		{"Hilarion Del Rosario Santos, III(third)", true, []string{"Hilarion Del Rosario Santos, III"}},
		{"(Sheikh) Musa Hilal", true, []string{"Musa Hilal"}},
		{"(SEAN) NAGHIBI", false, []string{"SEAN NAGHIBI"}},
		{"(朝鮮)順和江貿易会社", false, []string{"順和江貿易会社"}},
		{"AL-HARAMAIN FOUNDATION (PAKISTAN)", false, []string{"AL-HARAMAIN FOUNDATION"}},
		{"ウレマ援助組織（パキスタン）", false, []string{"ウレマ援助組織"}},
		{"Korea Rungrado (General) Trading Co.", false, []string{"Korea Rungrado Trading Co."}},
		{"鼐实鑫电子(深圳)有限公司", false, []string{"鼐实鑫电子 有限公司"}},
		{"リーダー（ホン・コン）インターナショナル", false, []string{"リーダー インターナショナル"}},
		{"Indira Gandhi Centre for Atomic Research (IGCAR), DAE", false, []string{"Indira Gandhi Centre for Atomic Research, DAE"}},
		{"ハマス（ハマス・イッザッディーン・アル・カッサームを含む）", false, []string{"ハマス"}},
		// A trailing bracket of a firm is its other name; short forms are
		// weak, and those of fewer than four letters are left out.
		{"Russian Agricultural Bank (Rosselkhozbank)", false, []string{"Russian Agricultural Bank", "Rosselkhozbank"}},
		{"HANDASIEH (Organization for Engineering Industries)", false, []string{"HANDASIEH", "Organization for Engineering Industries"}},
		{"Korea Mining Development Trading Corporation (KOMID)", false, []string{"Korea Mining Development Trading Corporation", "*KOMID"}},
		{"MUJAHIDIN INDONESIAN TIMUR (MIT)", false, []string{"MUJAHIDIN INDONESIAN TIMUR"}},
		{"Kahane Chai（Kach）", false, []string{"Kahane Chai", "*Kach"}},
		{"VEB.RF（Vnesheconombank）", false, []string{"VEB.RF", "Vnesheconombank"}},
		{"Shining Path （SL） （Sendero Luminoso）", false, []string{"Shining Path", "Sendero Luminoso"}},
		{"ガマーア・アル・イスラミーヤ（イスラム集団（IG））", false, []string{"ガマーア・アル・イスラミーヤ", "イスラム集団"}},
		{"東南アジアのイラクとレバント地方のイスラム国（ISIL-SEA、ISIL東南アジア）", false, []string{"東南アジアのイラクとレバント地方のイスラム国", "*ISIL-SEA", "*ISIL東南アジア"}},
		{"ABZAR BORESH KAVEH CO. (BK CO.)", false, []string{"ABZAR BORESH KAVEH CO."}},
		// Legal forms and generic words are no name of their own.
		{"PROMSERVIS (ZAKRYTOE AKTSIONERNOE OBSHCHESTVO)", false, []string{"PROMSERVIS"}},
		{"SINARA (HOLDING)", false, []string{"SINARA"}},
		{"(株)ミナト精機", false, []string{"ミナト精機"}},
		{"大安親善ガラス工場(平安南道)", false, []string{"大安親善ガラス工場"}},
		{"SOYUZ (Russian individual)", false, []string{"SOYUZ"}},
		{"【アラビア語】（ユーニス・アル・モーリタニー、シャイク・ユーニス・ザ・モーリタニアン）", true, []string{"ユーニス・アル・モーリタニー", "シャイク・ユーニス・ザ・モーリタニアン"}},
		// A firm's bracket inside the name, glued to a word, or a lower-case
		// word, spells the word again.
		{"Self-proclaimed “Luhansk(Lugansk) Economic Union”", false, []string{"Self-proclaimed “Luhansk Economic Union”", "Self-proclaimed “Lugansk Economic Union”"}},
		{"Riyadus-Salikhin Reconnaissance and Sabotage battalion of Shahids (martyrs)", false, []string{
			"Riyadus-Salikhin Reconnaissance and Sabotage battalion of Shahids",
			"Riyadus-Salikhin Reconnaissance and Sabotage battalion of martyrs"}},
		// A person's bracket in another script is a name of its own.
		{"حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)", true, []string{"حسن غول", "Hassan Ghul", "Hassan Gul", "Hasan Gul"}},
		{"Saqr Al-Jaddawi(صقر الجداوي)", true, []string{"Saqr Al-Jaddawi", "صقر الجداوي"}},
		// Nothing to read.
		{"Sergei Petrov", true, nil},
		{") Abdelrahman Mouhamad Zafir al Dabissi Juhan", true, nil},
		{"Iran (Islamic Republic of", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range Spell(tt.name, tt.person) {
				v := s.Value
				if s.Short {
					v = "*" + v
				}
				got = append(got, v)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Spell(%q)\n got %q\nwant %q", tt.name, got, tt.want)
			}
		})
	}
}

// Beyond 16 combinations each alternate is used alone.
func TestSpellBounds(t *testing.T) {
	name := "Andriy (Andrii, Andrij, Andrey, Andrei, Andrej) Pinchuk (Pinchuck, Pintchouk, Pinczuk)"
	got := Spell(name, true)
	if len(got) != 1+5+3 {
		t.Fatalf("%d spellings, want the base and 8 single changes: %v", len(got), got)
	}
	long := strings.Repeat("Abc (Abd) ", 50)
	if got := Spell(long, true); got != nil {
		t.Errorf("a name of %d runes was read: %d spellings", utf8.RuneCountInString(long), len(got))
	}
	many := strings.Repeat("W (V) ", maxGroups+1)
	if got := Spell(many, true); got != nil {
		t.Errorf("%d groups were read: %d spellings", maxGroups+1, len(got))
	}
}

func FuzzSpell(f *testing.F) {
	for _, s := range []string{
		"Sergey(Sergei/Serhiy/Serhii) ZDRILIUK(ZDRILYUK/ZDRYLIUK/ZDRYLYUK)",
		"ガマーア・アル・イスラミーヤ（イスラム集団（IG））",
		"Self-proclaimed “Luhansk(Lugansk) Economic Union”",
		"Shining Path （SL） （Sendero Luminoso）",
		"((()))", "（）", "(a)(b)(c)", "x (y; z、w)",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, name string, person bool) {
		got := Spell(name, person)
		if len(got) > 3*maxSpellings*maxGroups {
			t.Fatalf("%d spellings", len(got))
		}
		seen := map[string]bool{listkit.NameKey(name): true}
		for _, s := range got {
			if s.Value == "" || strings.ContainsAny(s.Value, "()（）") {
				t.Fatalf("spelling %q of %q", s.Value, name)
			}
			if seen[listkit.NameKey(s.Value)] {
				t.Fatalf("spelling %q twice or equal to the name %q", s.Value, name)
			}
			seen[listkit.NameKey(s.Value)] = true
			if utf8.ValidString(name) && !utf8.ValidString(s.Value) {
				t.Fatalf("invalid UTF-8 %q from %q", s.Value, name)
			}
		}
	})
}

func ExampleSpell() {
	for _, s := range Spell("Oleh (Oleg) MORHUN (MORGUN)", true) {
		fmt.Println(s.Value)
	}
	// Output:
	// Oleh MORHUN
	// Oleg MORHUN
	// Oleh MORGUN
	// Oleg MORGUN
}
