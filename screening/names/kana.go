package names

import (
	"slices"
	"strings"
)

// Kana to Latin letters, modified Hepburn as used on Japanese passports and
// in the MOF sanctions list: シ shi, チ chi, ツ tsu, フ fu, ジ/ヂ ji, ズ/ヅ zu;
// small ッ doubles the next consonant (ッチ → tchi); ン is m before b, m and p;
// long vowels (ー, ou, uu, oo) are written as one vowel, as passports do
// (トーキョー and とうきょう both give tokyo). Katakana spellings of foreign
// words (ファ, ティ, ヴァ, ウィ ...) get their usual Latin values.

// kanaSingle maps one katakana to its syllable. Hiragana is shifted to
// katakana before lookup.
var kanaSingle = map[rune]string{
	'ア': "a", 'イ': "i", 'ウ': "u", 'エ': "e", 'オ': "o",
	'カ': "ka", 'キ': "ki", 'ク': "ku", 'ケ': "ke", 'コ': "ko",
	'ガ': "ga", 'ギ': "gi", 'グ': "gu", 'ゲ': "ge", 'ゴ': "go",
	'サ': "sa", 'シ': "shi", 'ス': "su", 'セ': "se", 'ソ': "so",
	'ザ': "za", 'ジ': "ji", 'ズ': "zu", 'ゼ': "ze", 'ゾ': "zo",
	'タ': "ta", 'チ': "chi", 'ツ': "tsu", 'テ': "te", 'ト': "to",
	'ダ': "da", 'ヂ': "ji", 'ヅ': "zu", 'デ': "de", 'ド': "do",
	'ナ': "na", 'ニ': "ni", 'ヌ': "nu", 'ネ': "ne", 'ノ': "no",
	'ハ': "ha", 'ヒ': "hi", 'フ': "fu", 'ヘ': "he", 'ホ': "ho",
	'バ': "ba", 'ビ': "bi", 'ブ': "bu", 'ベ': "be", 'ボ': "bo",
	'パ': "pa", 'ピ': "pi", 'プ': "pu", 'ペ': "pe", 'ポ': "po",
	'マ': "ma", 'ミ': "mi", 'ム': "mu", 'メ': "me", 'モ': "mo",
	'ヤ': "ya", 'ユ': "yu", 'ヨ': "yo",
	'ラ': "ra", 'リ': "ri", 'ル': "ru", 'レ': "re", 'ロ': "ro",
	'ワ': "wa", 'ヰ': "i", 'ヱ': "e", 'ヲ': "o", 'ン': "n",
	'ヴ': "vu", 'ヷ': "va", 'ヸ': "vi", 'ヹ': "ve", 'ヺ': "vo",
	// small vowels and y-kana standing alone (after a vowel, or in odd spellings)
	'ァ': "a", 'ィ': "i", 'ゥ': "u", 'ェ': "e", 'ォ': "o",
	'ャ': "ya", 'ュ': "yu", 'ョ': "yo", 'ヮ': "wa", 'ヵ': "ka", 'ヶ': "ke",
}

// kanaPair maps a katakana followed by a small kana to one syllable.
var kanaPair = map[string]string{
	"キャ": "kya", "キュ": "kyu", "キョ": "kyo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
	"シャ": "sha", "シュ": "shu", "ショ": "sho", "ジャ": "ja", "ジュ": "ju", "ジョ": "jo",
	"チャ": "cha", "チュ": "chu", "チョ": "cho", "ヂャ": "ja", "ヂュ": "ju", "ヂョ": "jo",
	"ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo", "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo",
	"ビャ": "bya", "ビュ": "byu", "ビョ": "byo", "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo",
	"ミャ": "mya", "ミュ": "myu", "ミョ": "myo", "リャ": "rya", "リュ": "ryu", "リョ": "ryo",
	// foreign sounds written in katakana
	"シェ": "she", "ジェ": "je", "チェ": "che", "ティ": "ti", "ディ": "di", "トゥ": "tu", "ドゥ": "du",
	"テュ": "tyu", "デュ": "dyu", "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "フュ": "fyu",
	"ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve", "ヴォ": "vo",
	"ヴュ": "vyu", "ツァ": "tsa", "ツィ": "tsi", "ツェ": "tse", "ツォ": "tso", "イェ": "ye",
	"クァ": "kwa", "クィ": "kwi", "クェ": "kwe", "クォ": "kwo", "グァ": "gwa", "スィ": "si", "ズィ": "zi",
	"キェ": "kye", "ニェ": "nye", "ヒェ": "hye", "ミェ": "mye", "リェ": "rye", "ギェ": "gye",
}

func isSmallKana(r rune) bool {
	switch r {
	case 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ヮ':
		return true
	}
	return false
}

// toKatakana shifts hiragana into the katakana block; everything else is kept.
func toKatakana(r rune) rune {
	if r >= 0x3041 && r <= 0x3096 {
		return r + 0x60
	}
	if r == 0x309D || r == 0x309E { // ゝ ゞ iteration marks
		return r + 0x60
	}
	return r
}

// kanaToLatin writes a run of kana in modified Hepburn. Characters that are
// not kana are skipped.
func kanaToLatin(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = toKatakana(r)
	}
	var b strings.Builder
	double := false // a small ッ waits for the next consonant
	prev := ""      // the last syllable written, for iteration marks
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		var syl string
		switch {
		case r == 'ッ':
			double = true
			continue
		case r == 'ー':
			continue // long vowel: passports write the vowel once
		case r == 'ヽ' || r == 'ヾ':
			syl = prev
			if r == 'ヾ' && syl != "" {
				syl = voiced(syl)
			}
		default:
			if i+1 < len(rs) && isSmallKana(rs[i+1]) {
				if p, ok := kanaPair[string(rs[i:i+2])]; ok {
					syl = p
					i++
					break
				}
			}
			s, ok := kanaSingle[r]
			if !ok {
				continue
			}
			syl = s
		}
		if syl == "" {
			continue
		}
		if double {
			double = false
			switch {
			case strings.HasPrefix(syl, "ch"):
				b.WriteByte('t')
			case syl[0] != 'a' && syl[0] != 'i' && syl[0] != 'u' && syl[0] != 'e' && syl[0] != 'o' && syl[0] != 'n':
				b.WriteByte(syl[0])
			}
		}
		if syl == "n" && i+1 < len(rs) {
			// ン before b, m, p is written m (shimbun, tempura).
			if next, ok := kanaSingle[toKatakana(rs[i+1])]; ok && next != "" {
				switch next[0] {
				case 'b', 'm', 'p':
					syl = "m"
				}
			}
		}
		b.WriteString(syl)
		prev = syl
	}
	return collapseLongVowels(b.String())
}

// voiced gives the voiced form of a syllable for ゞ (か → が).
func voiced(s string) string {
	switch s[0] {
	case 'k':
		return "g" + s[1:]
	case 's':
		if strings.HasPrefix(s, "sh") {
			return "j" + s[2:]
		}
		return "z" + s[1:]
	case 't':
		if strings.HasPrefix(s, "ts") {
			return "z" + s[2:]
		}
		if strings.HasPrefix(s, "ch") {
			return "j" + s[2:]
		}
		return "d" + s[1:]
	case 'h', 'f':
		return "b" + s[1:]
	}
	return s
}

// collapseLongVowels writes long vowels once, as Hepburn without macrons
// does: ou → o, uu → u, oo → o, aa → a, ee → e. "ii" and "ei" are kept, since
// passports keep them (Niigata, Meiji).
func collapseLongVowels(s string) string {
	if len(s) < 2 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if n := len(b); n > 0 {
			p := b[n-1]
			if (p == 'o' && (c == 'u' || c == 'o')) || (p == 'u' && c == 'u') || (p == 'a' && c == 'a') || (p == 'e' && c == 'e') {
				continue
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// maxKoreanParts bounds the forms koreanParts gives for one katakana word.
const maxKoreanParts = 24

// koreanParts gives the ways lists may romanise the syllables of a katakana
// word of two or three Korean syllables, as separate words: ソンチョル gives
// son, song, chol, jol; ギョンイル gives gyon, kyong, il and the like. Each
// syllable is read on its own: its final u dropped where katakana adds it to
// a Korean final consonant (ル, ク, プ, ム), its ン also read as ng, its voiced
// start also unvoiced. Words of other shapes (a long vowel, a small ッ, a
// syllable that is not Korean) give nothing.
//
// whole gives, for a word of two syllables, the same forms written as one
// word (カンボン: kanbon, kangbong, ...), as lists write Korean company and
// place names.
func koreanParts(word string) (parts, whole []string) {
	if strings.ContainsAny(word, "ーッ") {
		return nil, nil
	}
	syllables := koreanKanaSyllables(word)
	if len(syllables) < 2 || len(syllables) > 3 {
		return nil, nil
	}
	forms := make([][]string, len(syllables))
	for i, syl := range syllables {
		if forms[i] = koreanSyllableForms(syl); forms[i] == nil {
			return nil, nil
		}
		for _, f := range forms[i] {
			if len(parts) < maxKoreanParts && !slices.Contains(parts, f) {
				parts = append(parts, f)
			}
		}
	}
	if len(forms) == 2 {
		for _, a := range forms[0] {
			for _, b := range forms[1] {
				if len(whole) < maxKoreanParts {
					whole = append(whole, a+b)
				}
			}
		}
	}
	return parts, whole
}

// koreanSyllableForms romanises one katakana syllable of a Korean name the
// ways lists write it, or gives nothing when it is not one syllable.
func koreanSyllableForms(kana string) []string {
	ts := analyse(kana)
	if len(ts) != 1 || ts[0].Script != ScriptKana {
		return nil
	}
	r := ts[0].Latin
	// a final consonant katakana closes with u (チョル chol, ソク sok, ナム nam)
	if n := len(r); n > 2 && r[n-1] == 'u' && strings.IndexByte("rkpm", r[n-2]) >= 0 && isVowel(r[n-3]) {
		r = r[:n-1]
		if r[len(r)-1] == 'r' {
			r = r[:len(r)-1] + "l"
		}
	}
	if _, ok := koreanSpoken(r); !ok {
		return nil
	}
	forms := []string{r}
	if strings.HasSuffix(r, "n") {
		forms = append(forms, r+"g")
	}
	for _, f := range forms[:len(forms):len(forms)] {
		forms = append(forms, voicingVariants(f)...)
	}
	return forms
}

// koreanKanaSyllables splits a katakana word into what would be Korean
// syllables: a kana with the small kana after it, then a ン, or else one of
// ル, ク, プ, ム as its final consonant (ナム nam, but ヨンム yong mu: a syllable
// that ends in ン takes no second final).
func koreanKanaSyllables(word string) []string {
	var out []string
	closed := false // the last syllable has its final consonant
	for _, r := range word {
		n := len(out)
		switch {
		case n > 0 && strings.ContainsRune("ァィゥェォャュョヮ", r):
			out[n-1] += string(r)
		case n > 0 && r == 'ン' && !closed:
			out[n-1] += string(r)
			closed = true
		case n > 0 && strings.ContainsRune("ルクプム", r) && !closed:
			out[n-1] += string(r)
			closed = true
		default:
			out = append(out, string(r))
			closed = false
		}
	}
	return out
}
