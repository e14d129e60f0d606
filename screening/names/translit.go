package names

import "strings"

// Transliteration tables for the non-Latin alphabets that appear in
// sanctions lists. Each maps a lower-case letter to Latin letters. They follow
// the common passport and BGN/PCGN practice; the scorer is tolerant of the
// differences between systems (Sergey/Sergei, Zelenskyy/Zelenskiy).

var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya",
	// Ukrainian, Belarusian
	'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "u",
	// Serbian, Macedonian
	'ђ': "dj", 'ј': "j", 'љ': "lj", 'њ': "nj", 'ћ': "c", 'џ': "dz", 'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz",
	// Kazakh, Mongolian, Tatar, Uzbek, Tajik, Kyrgyz
	'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u", 'һ': "h",
	'җ': "zh", 'ҳ': "h", 'ӣ': "i", 'ӯ': "u", 'ҷ': "j", 'ӊ': "n",
}

var greekLatin = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps",
	'ω': "o",
}

var armenianLatin = map[rune]string{
	'ա': "a", 'բ': "b", 'գ': "g", 'դ': "d", 'ե': "e", 'զ': "z", 'է': "e", 'ը': "e",
	'թ': "t", 'ժ': "zh", 'ի': "i", 'լ': "l", 'խ': "kh", 'ծ': "ts", 'կ': "k", 'հ': "h",
	'ձ': "dz", 'ղ': "gh", 'ճ': "ch", 'մ': "m", 'յ': "y", 'ն': "n", 'շ': "sh", 'ո': "o",
	'չ': "ch", 'պ': "p", 'ջ': "j", 'ռ': "r", 'ս': "s", 'վ': "v", 'տ': "t", 'ր': "r",
	'ց': "ts", 'ւ': "u", 'փ': "p", 'ք': "k", 'օ': "o", 'ֆ': "f", 'և': "ev",
}

var georgianLatin = map[rune]string{
	'ა': "a", 'ბ': "b", 'გ': "g", 'დ': "d", 'ე': "e", 'ვ': "v", 'ზ': "z", 'თ': "t",
	'ი': "i", 'კ': "k", 'ლ': "l", 'მ': "m", 'ნ': "n", 'ო': "o", 'პ': "p", 'ჟ': "zh",
	'რ': "r", 'ს': "s", 'ტ': "t", 'უ': "u", 'ფ': "p", 'ქ': "k", 'ღ': "gh", 'ყ': "q",
	'შ': "sh", 'ჩ': "ch", 'ც': "ts", 'ძ': "dz", 'წ': "ts", 'ჭ': "ch", 'ხ': "kh", 'ჯ': "j",
	'ჰ': "h",
}

// arabicLatin covers Arabic, Persian and Urdu letters. Arabic script writes
// no short vowels, so the Latin form is close to a consonant skeleton; the
// scorer compares such tokens by skeleton (see skeleton).
var arabicLatin = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ب': "b", 'ت': "t", 'ث': "th",
	'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s",
	'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "", 'غ': "gh", 'ف': "f",
	'ق': "q", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'و': "w", 'ي': "y",
	'ى': "a", 'ة': "a", 'ء': "", 'ؤ': "w", 'ئ': "y",
	// Persian and Urdu
	'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ی': "y", 'ٹ': "t", 'ڈ': "d",
	'ڑ': "r", 'ں': "n", 'ھ': "h", 'ہ': "h", 'ۃ': "a", 'ے': "e",
}

// transliterate writes a lower-case token of the given script in Latin
// letters, or returns "" when the script has no table here.
func transliterate(s string, sc Script) string {
	var table map[rune]string
	switch sc {
	case ScriptCyrillic:
		table = cyrillicLatin
	case ScriptGreek:
		table = greekLatin
	case ScriptArmenian:
		table = armenianLatin
	case ScriptGeorgian:
		table = georgianLatin
	case ScriptArabic:
		table = arabicLatin
	case ScriptKana:
		return kanaToLatin(s)
	case ScriptHangul:
		return hangulToLatin(s)
	default:
		return ""
	}
	var b strings.Builder
	for _, r := range s {
		if v, ok := table[r]; ok {
			b.WriteString(v)
		} else if r < 0x80 {
			b.WriteRune(r)
		} else if sc == ScriptGreek {
			// accented Greek vowels: strip the accent through the Latin folder's
			// decomposition, then look again.
			var tmp []byte
			tmp = foldGreek(tmp, r)
			for _, c := range string(tmp) {
				b.WriteString(table[c])
			}
		}
	}
	out := b.String()
	if sc == ScriptGreek {
		// ου is u, αι is e, ει and οι are i in modern Greek names.
		out = strings.NewReplacer("ou", "u", "ai", "e", "ei", "i", "oi", "i", "mp", "b", "nt", "d").Replace(out)
	}
	return out
}

// foldGreek strips tonos and dialytika from a Greek vowel.
func foldGreek(dst []byte, r rune) []byte {
	switch r {
	case 'ά':
		r = 'α'
	case 'έ':
		r = 'ε'
	case 'ή':
		r = 'η'
	case 'ί', 'ϊ', 'ΐ':
		r = 'ι'
	case 'ό':
		r = 'ο'
	case 'ύ', 'ϋ', 'ΰ':
		r = 'υ'
	case 'ώ':
		r = 'ω'
	default:
		return dst
	}
	return append(dst, string(r)...)
}

// Hangul syllables are built from an initial, a medial and an optional final
// jamo; Revised Romanization writes each from these tables.
var (
	hangulInitial = [...]string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"}
	hangulMedial  = [...]string{"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"}
	hangulFinal   = [...]string{"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
)

func hangulToLatin(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0xAC00 || r > 0xD7A3 {
			continue
		}
		i := int(r - 0xAC00)
		b.WriteString(hangulInitial[i/(21*28)])
		b.WriteString(hangulMedial[(i%(21*28))/28])
		b.WriteString(hangulFinal[i%28])
	}
	return b.String()
}
