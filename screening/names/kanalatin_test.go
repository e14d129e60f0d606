package names

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
)

// The katakana–Latin comparison must keep the readings of one name together
// and tell apart words that only share their consonants.
// kanaLatinForms gives the kanaForm of a one-word katakana name and of a
// Latin word.
func kanaLatinForms(t *testing.T, kana, latin string) (string, string) {
	t.Helper()
	ts := analyse(kana)
	if len(ts) != 1 || ts[0].Script != ScriptKana {
		t.Fatalf("analyse(%q) = %+v, want one katakana token", kana, ts)
	}
	return kanaForm(ts[0]), kanaForm(Token{Text: latin, Latin: latin, Script: ScriptLatin})
}

func TestKanaLatin(t *testing.T) {
	tests := []struct {
		kana, latin string
		comparable  bool
		minSim      float64 // kanaLatinSim at least this
		maxSim      float64 // and at most this
	}{
		// one name, as MOF writes it in katakana and in English
		{"イスラム", "islam", true, 0.9, 1},
		{"ロパチン", "lopatin", true, 0.95, 1},
		{"アヴデエフ", "avdeev", true, 0.8, 1}, // ee folds to i for English (Green グリーン), not here
		{"スタイガー", "steiger", true, 0.75, 1},
		{"セレスティアル", "celestial", true, 0.9, 1},
		{"ミハイロフ", "mikhaylov", true, 0.8, 1},
		{"ハリモフ", "khalimov", true, 0.8, 1},
		{"フトルィギナ", "vtorygina", true, 0.7, 1},
		{"サイード", "seyed", true, 0.6, 1},
		{"ウラジーミル", "vladimir", true, 0.85, 1}, // ウ for a v before a consonant, ジ for di
		{"ヴラジーミル", "vladimir", true, 0.85, 1},
		{"プーチン", "putin", true, 0.9, 1},
		{"アフンド", "akhund", true, 0.9, 1}, // フ for kh
		{"アフタール", "akhtar", true, 0.8, 1},
		{"ウラル", "ural", true, 0.9, 1},
		{"ウラル", "vlasov", true, 0, 0.6},  // the ウ-for-v reading does not make every ウ a v
		{"モスクワ", "moscow", true, 0.8, 1}, // sc before o is sk
		// same consonants, different words
		{"ヤマト", "mit", false, 0, 0.3},
		{"ヒカリ", "kala", false, 0, 0.5},
		{"ハルカ", "alco", false, 0, 0.7},
		{"ユタカ", "tco", false, 0, 0.3},
		{"ミドリ", "imidro", false, 0, 0.75}, // only the first sound tells these apart
		{"カガヤキ", "kgk", false, 0, 0.3},    // no vowel: an acronym
		{"ミナト", "minint", true, 0, 0.75},
	}
	for _, tt := range tests {
		kf, lf := kanaLatinForms(t, tt.kana, tt.latin)
		if got := kanaLatinComparable(kf, tt.latin, lf); got != tt.comparable {
			t.Errorf("kanaLatinComparable(%s %q, %q %q) = %v, want %v", tt.kana, kf, tt.latin, lf, got, tt.comparable)
		}
		if got := kanaLatinSim(kf, lf); got < tt.minSim || got > tt.maxSim {
			t.Errorf("kanaLatinSim(%s %q, %q %q) = %.3f, want %.2f..%.2f", tt.kana, kf, tt.latin, lf, got, tt.minSim, tt.maxSim)
		}
	}
}

func TestKanaDistanceCosts(t *testing.T) {
	tests := []struct {
		k, l string
		want float64
	}{
		{"isuramu", "isram", 2 * kanaCostAdded},           // two vowels katakana adds
		{"rando", "rand", kanaCostAdded},                  // o after d
		{"isan", "ehsan", kanaCostVowel + kanaCostSilent}, // i/e, silent h
		{"ropacin", "ropatin", 0},                         // チ for ti
		{"rajio", "radio", 0},                             // ジ for di
		{"afund", "ahund", 0},                             // フ for kh (folded h)
		{"afand", "ahand", 1},                             // but only in fu
		{"abc", "xyz", 3},
		{"", "abc", 3},
		{"abc", "", 1 + kanaCostAdded*0 + 2}, // the first letter costs 1, b and c 1 each
	}
	for _, tt := range tests {
		if got := kanaDistance(tt.k, tt.l); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("kanaDistance(%q, %q) = %.3f, want %.3f", tt.k, tt.l, got, tt.want)
		}
	}
	long := "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop" // longer than the stack buffers
	if got := kanaDistance(long, long); got != 0 {
		t.Errorf("kanaDistance of a long word with itself = %v", got)
	}
}

// TestKanaVowelsDiffer: a Japanese word whose skeleton a Latin word shares
// is another word when most of the Latin vowels are read as other vowels;
// katakana's added and lengthened vowels are not such differences.
func TestKanaVowelsDiffer(t *testing.T) {
	tests := []struct {
		word, latin string
		differ      bool
	}{
		{"コスモ", "kassouma", true}, // kosumo / kasuma: o-u-o against a-u-a
		{"イズミ", "asama", true},
		{"木村", "camorra", true},     // a Japanese reading has its vowels too
		{"小林", "kipas", false},      // kobayashi / kipas: their similarity keeps them apart already
		{"ミナト", "minint", false},    // one vowel of two: left to the similarity
		{"ロータス", "lotos", false},    // one of two
		{"ユナイテッド", "united", false}, // lengthened and added vowels
		{"リヴォフ", "lvov", false},
		{"ルィジコフ", "ryzhkov", false},
		{"ムシャウウィハ", "mshaweh", false},
		{"セルゲイ", "sergey", false},
	}
	for _, tt := range tests {
		ts := analyse(tt.word)
		if len(ts) != 1 || !japaneseScript(ts[0].Script) {
			t.Fatalf("analyse(%q) = %+v, want one kana or Han token", tt.word, ts)
		}
		kf, lf := kanaForm(ts[0]), kanaForm(Token{Text: tt.latin, Latin: tt.latin, Script: ScriptLatin})
		if got := kanaVowelsDiffer(kf, lf); got != tt.differ {
			t.Errorf("kanaVowelsDiffer(%s %q, %q %q) = %v, want %v", tt.word, kf, tt.latin, lf, got, tt.differ)
		}
	}
	long := "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop" // longer than the table
	if kanaVowelsDiffer(long, "abc") || kanaVowelsDiffer("abc", long) {
		t.Error("kanaVowelsDiffer of a word longer than its table should leave the pair alone")
	}
}

// TestKanaSyllablesAgree: katakana says each syllable's consonant, so a
// Latin word with a consonant more or fewer across a vowel is another word,
// whatever their skeletons share; letters that meet may fold into one.
func TestKanaSyllablesAgree(t *testing.T) {
	tests := []struct {
		reading, latin string
		agree          bool
	}{
		{"minato", "minint", false},  // ミナト: one n, MININT two
		{"suzuran", "sairan", false}, // スズラン: two s, SAIRAN one
		{"suzuran", "souran", false},
		{"minato", "minato", true},
		{"hassan", "hassan", true},      // a doubled letter is one consonant
		{"orurofu", "orlov", true},      // オルロフ: r and l met, two syllables
		{"waarudo", "world", true},      // ワールド: r and l met, one syllable
		{"kofupaku", "kovpak", true},    // コフパク: v and p fold alike
		{"pafunittsu", "pahnits", true}, // パフニッツ: フ for an h
		{"peta", "peter", true},         // ペーター: the -er a long vowel
		{"baba", "baba", true},
	}
	for _, tt := range tests {
		if got := kanaSyllablesAgree(tt.reading, tt.latin); got != tt.agree {
			t.Errorf("kanaSyllablesAgree(%q, %q) = %v, want %v (skeletons %q / %q, %q)", tt.reading, tt.latin, got, tt.agree,
				syllableSkeleton(tt.reading, false), syllableSkeleton(tt.latin, false), syllableSkeleton(tt.latin, true))
		}
	}
}

// TestKanaLatinWordSim: a final チ meets the -ic of a Serbian or Croatian
// name as lists write it, and only that: English -ic stays ック, and a
// Latin k is not a ć.
func TestKanaLatinWordSim(t *testing.T) {
	tests := []struct {
		kana, latin    string
		minSim, maxSim float64
	}{
		{"ミロシェヴィッチ", "milosevic", 0.95, 1},
		{"ミロシェビッチ", "milosevic", 0.95, 1},
		{"カラジッチ", "karadzic", 0.95, 1}, // dž is ジ
		{"ムラディッチ", "mladic", 0.95, 1},
		{"マルコヴィチ", "markovic", 0.95, 1},
		{"アトランティック", "atlantic", 0.95, 1},   // English -ic, as before
		{"ミロシェヴィッチ", "milosevik", 0, 0.9},   // a k is not a ć
		{"ミロシェヴィッチ", "milosevich", 0.95, 1}, // as English writes it: the ch is チ anyway
		{"マッチ", "mic", 0, 0.85},             // too short a Latin word to read so
		// a Korean family name's initial j is チ, its final ng ン
		{"チャン", "jang", 0.85, 0.9},
		{"チョン", "jong", 0.85, 0.9},
		{"チョ", "jo", 0.9, 1},
		{"ソン", "song", 0.9, 0.95},
		{"チャック", "jack", 0, 0.7}, // not a Korean syllable: Chuck is not Jack (0.62, below any pairing)
		{"チーズ", "jeez", 0, 0.7},
	}
	for _, tt := range tests {
		kf, lf := kanaLatinForms(t, tt.kana, tt.latin)
		if got := kanaLatinWordSim(kf, tt.latin, lf); got < tt.minSim || got > tt.maxSim {
			t.Errorf("kanaLatinWordSim(%s %q, %q %q) = %.3f, want %.2f..%.2f", tt.kana, kf, tt.latin, lf, got, tt.minSim, tt.maxSim)
		}
	}
}

// TestKanaSkeletons: the skeletons a Latin word is also filed under for
// katakana queries.
func TestKanaSkeletons(t *testing.T) {
	tests := []struct {
		latin string
		want  []string
	}{
		{"peter", []string{"bt"}},               // ペーター
		{"technodinamika", []string{"tkndnmk"}}, // テクノディナミカ
		{"michael", []string{"mkr"}},
		{"schmidt", nil},                // sch is シュ
		{"kharichev", []string{"krkb"}}, // a spare filing: katakana writes this ch チ (ハリチェフ)
		{"shchapov", nil},               // shch is シチ
		{"putin", nil},
	}
	for _, tt := range tests {
		if got := kanaSkeletons(tt.latin, skeleton(tt.latin)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("kanaSkeletons(%q) = %q, want %q", tt.latin, got, tt.want)
		}
	}
}

func TestKanaSkeletonVariants(t *testing.T) {
	tests := []struct {
		reading string
		want    []string
	}{
		{"puchin", []string{"bcn", "btn", "bcng"}},                        // プーチン: Putin (then a Korean ng)
		{"urajimiru", []string{"rjmr", "brjmr", "rdmr", "brdmr", "rsmr"}}, // ウラジーミル: Vladimir
		{"afundo", []string{"bnd", "knd", "nd", "bngd"}},                  // アフンド: Akhund
		{"tanaka", []string{"tnk"}},
		{"uran", []string{"rn", "brn", "rng"}},
		// three sites give eight readings, the most kept, and then the
		// rarer spellings within their own budget
		{"chijifu", []string{"cjb", "tjb", "cdb", "tdb", "cjk", "tjk", "cdk", "tdk", "csb"}},
		{"chijifuchi", []string{"cjbc", "tjbc", "cdbc", "tdbc", "cjkc", "tjkc", "cdkc", "tdkc", "csbc", "cjc"}},
		// the rarer spellings, one sound at a time
		{"obuhofu", []string{"b", "bk", "bkb"}},                                         // オブホフ: Obukhov, h as kh
		{"sofura", []string{"sbr", "skr", "sr"}},                                        // ソフラ: Sohra, fu as h before a consonant
		{"kujimichi", []string{"kjmc", "kdmc", "kjmt", "kdmt", "kjmk", "kdmk", "ksmc"}}, // クジミチ: Kuzmich, ji as zi
		{"rebejefu", []string{"rbjb", "rbjk", "rbdb"}},                                  // レベジェフ: Lebedev, je as de
		{"teson", []string{"tsn", "tsng"}},                                              // テソン: Taesong, ン as ng
		{"shashi", []string{"s"}},                                                       // no kh for the h of sh
		// a final チ may be a Serbian -ić, which Latin lists write c
		{"miroshevitchi", []string{"mrsbc", "mrsbt", "mrsbk"}},                           // ミロシェヴィッチ: Milosevic
		{"karajitchi", []string{"krjc", "krdc", "krjt", "krdt", "krjk", "krdk", "krsc"}}, // カラジッチ: Karadzic
		{"chi", []string{"c", "t", "j"}},                                                 // nothing left of a word that is only チ; Korean Ji
		// a Korean family name: チャン as Jang, チョン as Jong
		{"chan", []string{"cn", "jng", "cng"}},
		{"chon", []string{"cn", "jng", "cng"}},
		{"son", []string{"sn", "sng"}},
		{"sonchoru", []string{"sncr", "sngcr"}}, // more than one syllable: no j for its チ
		{"an", []string{"n", "ng"}},             // no consonant before the vowel: not koreanSyllable's
	}
	for _, tt := range tests {
		got, _ := kanaSkeletonVariants(tt.reading)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("kanaSkeletonVariants(%q) = %q, want %q", tt.reading, got, tt.want)
		}
		if got[0] != skeleton(tt.reading) {
			t.Errorf("kanaSkeletonVariants(%q) starts with %q, not the reading's own skeleton", tt.reading, got[0])
		}
	}
}

func TestKoreanJSyllable(t *testing.T) {
	for _, tt := range []struct {
		latin string
		want  bool
	}{
		{"jang", true}, {"jo", true}, {"jong", true}, {"jung", true}, {"jae", true}, {"jin", true}, {"jeon", true},
		{"jack", false}, {"jeez", false}, {"john", false}, {"j", false}, {"jnng", false}, {"jongil", false}, {"kang", false},
	} {
		if got := koreanJSyllable(tt.latin); got != tt.want {
			t.Errorf("koreanJSyllable(%q) = %v, want %v", tt.latin, got, tt.want)
		}
	}
}

// TestKanaJoinedKoreanVoicing: katakana writes the syllable after a Korean
// family name voiced where the lists write it unvoiced; that is read as one
// name only when each Latin word is a Korean syllable.
func TestKanaJoinedKoreanVoicing(t *testing.T) {
	tests := []struct {
		kana   string
		latin  []string
		minSim float64
		maxSim float64
	}{
		{"ギョンイル", []string{"kyong", "il"}, 0.8, 0.92},
		{"グァンチョル", []string{"kwang", "chol"}, 0.8, 0.92},
		{"グァンホ", []string{"kwang", "ho"}, 0.8, 0.92},
		{"ジェイル", []string{"chae", "il"}, 0.75, 0.92},
		{"ギョンナム", []string{"kyong", "nam"}, 0.8, 0.92},
		{"ソンイル", []string{"song", "il"}, 0.85, 0.92}, // unvoiced on both sides, as before
		// not Korean syllables: a voiced katakana start stays another word
		{"ガーデン", []string{"karl", "den"}, 0, 0.75},
		{"ギャラクシー", []string{"kalax", "sea"}, 0, 0.75},
	}
	for _, tt := range tests {
		ts := analyse(tt.kana)
		if len(ts) != 1 || ts[0].Script != ScriptKana {
			t.Fatalf("analyse(%q) = %+v, want one katakana token", tt.kana, ts)
		}
		var parts []*tok
		joined := ""
		for _, w := range tt.latin {
			parts = append(parts, &tok{Token: Token{Text: w, Latin: w, Script: ScriptLatin}})
			joined += w
		}
		if got := kanaJoinedSim(ts[0], parts, joined); got < tt.minSim || got > tt.maxSim {
			t.Errorf("kanaJoinedSim(%s, %v) = %.3f, want %.2f..%.2f", tt.kana, tt.latin, got, tt.minSim, tt.maxSim)
		}
	}
}

// TestKoreanParts: a katakana word of two or three Korean syllables gives the
// romanisations of each syllable, for the look-up; other words give none.
func TestKoreanParts(t *testing.T) {
	tests := []struct {
		word string
		want []string
	}{
		{"ソンチョル", []string{"son", "song", "chol", "jol"}},
		{"ギョンイル", []string{"gyon", "gyong", "kyon", "kyong", "il"}},
		{"ヨンム", []string{"yon", "yong", "mu"}}, // ン closes ヨン: ム is a syllable
		{"ソンナム", []string{"son", "song", "nam"}},
		{"イル", nil},       // one syllable
		{"トレーディング", nil},  // a long vowel: not a Korean name
		{"ミロシェヴィッチ", nil}, // a small ッ
		{"ウラジーミル", nil},
	}
	for _, tt := range tests {
		if got, _ := koreanParts(tt.word); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("koreanParts(%s) = %v, want %v", tt.word, got, tt.want)
		}
	}
	if _, whole := koreanParts("カンボン"); !slices.Contains(whole, "kangbong") || !slices.Contains(whole, "kanbon") {
		t.Errorf("koreanParts(カンボン) as one word: %v, want kangbong among them", whole)
	}
}

// TestSearchFindsKoreanNameAmongMany: a katakana Korean name is found among
// many names that share its family name or its syllables, which a look-up of
// the family name alone leaves out of the candidates.
func TestSearchFindsKoreanNameAmongMany(t *testing.T) {
	syl := []string{"Chol", "Song", "Nam", "Il", "Kwang", "Hyok", "Yong", "Chun", "Ho", "Min", "Su", "Jin"}
	var recs []Record
	for i := range 300 {
		recs = append(recs, Record{ID: fmt.Sprint("jang-", i), Kind: "person", Names: []NameVariant{{Value: "JANG " + syl[i%12] + " " + syl[(i/12)%12] + fmt.Sprint(" ", i)}}})
		recs = append(recs, Record{ID: fmt.Sprint("other-", i), Kind: "person", Names: []NameVariant{{Value: []string{"KIM", "RI", "PAK", "CHOE"}[i%4] + " SONG CHOL " + fmt.Sprint(i)}}})
	}
	recs = append(recs, Record{ID: "target", Kind: "person", Names: []NameVariant{{Value: "JANG SONG CHOL"}}})
	ix, err := NewIndex(recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range ix.Search("チャン・ソンチョル", SearchOptions{Kind: "person", Limit: 5}) {
		if h.ID == "target" && h.Match {
			return
		}
	}
	t.Fatalf("チャン・ソンチョル does not find JANG SONG CHOL among %d names", len(recs))
}

// TestKoreanWordInKatakana: one Latin word of two Korean syllables meets its
// katakana, which writes the syllables as spoken (ン before b as m, hw as フ).
func TestKoreanWordInKatakana(t *testing.T) {
	tests := []struct {
		kana, latin    string
		minSim, maxSim float64
	}{
		{"カンボン", "kangbong", 0.9, 0.96},
		{"チョンボン", "chongbong", 0.9, 0.96},
		{"ポンファ", "ponghwa", 0.9, 0.96},
		{"クァンソン", "kwangsong", 0.85, 0.96},
		{"カンボン", "kangnam", 0, 0.75},    // another second syllable
		{"ハンバーガー", "hangbang", 0, 0.75}, // a long vowel: not read so
	}
	for _, tt := range tests {
		kf, lf := kanaLatinForms(t, tt.kana, tt.latin)
		if got := kanaLatinWordSim(kf, tt.latin, lf); got < tt.minSim || got > tt.maxSim {
			t.Errorf("kanaLatinWordSim(%s, %s) = %.3f, want %.2f..%.2f", tt.kana, tt.latin, got, tt.minSim, tt.maxSim)
		}
	}
	if got := koreanSegmentations("kangil"); len(got) != 2 {
		t.Errorf("koreanSegmentations(kangil) = %v, want kan gil and kang il", got)
	}
	if got := koreanSegmentations("strength"); len(got) != 0 {
		t.Errorf("koreanSegmentations(strength) = %v, want none", got)
	}
}

// TestFoldedFirstSound: the shortcut agrees with folding the word first, on
// every word of the labelled pairs and on the spellings that fold.
func TestFoldedFirstSound(t *testing.T) {
	words := []string{"shchukin", "schulze", "shin", "thomas", "tchaikovsky", "chae", "zhang", "djordje", "dzhokhar",
		"tsoi", "tzvi", "phyong", "khan", "ckx", "lee", "vladimir", "won", "zinc", "qian", "xavier", "fan", "hwang", "jang",
		"gyon", "dong", "bong", "kyong", "cobra", "eel", "oo", "you", "a", "yong"}
	raw, err := os.ReadFile("../../testdata/names/pairs.csv")
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.Comment, r.FieldsPerRecord = '#', -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, name := range row[2:4] {
			for _, tk := range analyse(name) {
				if tk.Latin != "" {
					words = append(words, tk.Latin)
				}
			}
		}
	}
	for _, w := range words {
		if got, want := foldedFirstSound(w), firstSound(kanaFold(w)); got != want {
			t.Errorf("foldedFirstSound(%q) = %c, want %c", w, got, want)
		}
	}
}
