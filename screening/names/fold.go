package names

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Script is the writing system of a token. Tokens of different scripts are
// compared through their Latin form; tokens of the same script are also
// compared in their own letters.
type Script uint8

const (
	ScriptOther Script = iota
	ScriptLatin
	ScriptCyrillic
	ScriptGreek
	ScriptArmenian
	ScriptGeorgian
	ScriptArabic
	ScriptHebrew
	ScriptKana
	ScriptHan
	ScriptHangul
)

var scriptNames = [...]string{"other", "latin", "cyrillic", "greek", "armenian", "georgian", "arabic", "hebrew", "kana", "han", "hangul"}

func (s Script) String() string {
	if int(s) < len(scriptNames) {
		return scriptNames[s]
	}
	return "other"
}

// MarshalText lets explanations show the script by name.
func (s Script) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// scriptOf says which script a letter or digit belongs to. Digits count as
// Latin so that "Brigade 44" and "AR16" stay single tokens.
func scriptOf(r rune) Script {
	switch {
	case r < 0x80:
		return ScriptLatin
	case r == 0x30FC || r == 0xFF70: // ー prolonged sound mark belongs to the kana run
		return ScriptKana
	case r == 0x3005 || r == 0x3006 || r == 0x3007: // 々 〆 〇 behave as kanji
		return ScriptHan
	case unicode.Is(unicode.Latin, r):
		return ScriptLatin
	case unicode.Is(unicode.Cyrillic, r):
		return ScriptCyrillic
	case unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
		return ScriptKana
	case unicode.Is(unicode.Han, r):
		return ScriptHan
	case unicode.Is(unicode.Hangul, r):
		return ScriptHangul
	case unicode.Is(unicode.Greek, r):
		return ScriptGreek
	case unicode.Is(unicode.Arabic, r):
		return ScriptArabic
	case unicode.Is(unicode.Hebrew, r):
		return ScriptHebrew
	case unicode.Is(unicode.Armenian, r):
		return ScriptArmenian
	case unicode.Is(unicode.Georgian, r):
		return ScriptGeorgian
	case unicode.IsDigit(r):
		return ScriptLatin
	}
	return ScriptOther
}

// latinSpecial folds Latin letters that have no canonical decomposition
// into plain ASCII letters (ß is not "b", ø is not "o" plus a mark).
var latinSpecial = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'þ': "th", 'Þ': "th", 'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŋ': "n", 'Ŋ': "n",
	'ĸ': "k", 'ŧ': "t", 'Ŧ': "t", 'ſ': "s", 'ə': "e", 'Ə': "e", 'ǝ': "e",
	'ɛ': "e", 'Ɛ': "e", 'ɔ': "o", 'Ɔ': "o", 'ƒ': "f", 'ʒ': "z",
}

// foldLatin appends the ASCII form of one Latin letter or digit: lower case,
// diacritics removed. It returns the buffer unchanged for letters it cannot
// fold (rare phonetic letters), which then drop out of the Latin form.
func foldLatin(dst []byte, r rune) []byte {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, byte(r))
	}
	if s, ok := latinSpecial[r]; ok {
		return append(dst, s...)
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFD.Bytes(buf[:n])
	for len(d) > 0 {
		c, size := utf8.DecodeRune(d)
		d = d[size:]
		if c < 0x80 {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, byte(c))
		} else if s, ok := latinSpecial[c]; ok {
			dst = append(dst, s...)
		}
		// combining marks and unfoldable letters are dropped
	}
	return dst
}

// isApostrophe reports the marks that join a word rather than split it:
// O'Brien, Al-Qa'ida, Int'l, Ma'ruf.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '´', '‘', 'ʻ', 'ʹ', '′', 'ʾ', 'ʿ':
		return true
	}
	return false
}

// isWordRune reports runes that belong inside a token.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == 0x30FC
}
