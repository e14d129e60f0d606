package names

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Token is one word of a name after normalisation.
type Token struct {
	// Text is the word as written after NFKC, width and case folding, in its
	// own script (ＡＢＣ → abc, ｶﾌﾞｼｷ → カブシキ, ООО → ооо).
	Text string `json:"text"`
	// Latin is the Latin-letter form compared across scripts: diacritics
	// removed, kana in Hepburn, Cyrillic transliterated, Han in a Japanese
	// reading or pinyin, abbreviations expanded. Empty when the script has
	// no Latin reading here (Hebrew, Thai, a Han character outside the table).
	Latin string `json:"latin,omitempty"`
	// Alt holds other readings and glosses (pinyin beside a Japanese
	// reading, "trading" beside 商事).
	Alt    []string `json:"alt,omitempty"`
	Script Script   `json:"script"`
	Class  Class    `json:"class"`
}

// form is the string a token is keyed and compared by: its Latin form, or its
// own text when it has none.
func (t Token) form() string {
	if t.Latin != "" {
		return t.Latin
	}
	return t.Text
}

// Normalise splits a name into tokens: NFKC, width and case folded,
// punctuation removed, legal forms, titles, particles, numbers and generic
// words classified, abbreviations expanded, other scripts transliterated.
// Legal-form tokens are kept (with ClassLegal) so an explanation can show
// them; they never count in a score.
func Normalise(name string) []Token {
	return analyse(name)
}

// cjkLegalReplacer turns the parenthesised one-character legal forms into
// their long form before tokenising, so the parentheses do not cut them off.
var cjkLegalReplacer = func() *strings.Replacer {
	var pairs []string
	for han, w := range hanDict {
		if strings.HasPrefix(han, "(") && w.class == ClassLegal {
			long := "株式会社"
			switch w.ja {
			case "yugengaisha":
				long = "有限会社"
			case "godogaisha":
				long = "合同会社"
			case "goshigaisha":
				long = "合資会社"
			case "gomeigaisha":
				long = "合名会社"
			}
			pairs = append(pairs, han, " "+long+" ")
		}
	}
	pairs = append(pairs, "(주)", " 주식회사 ", "(유)", " 유한회사 ")
	return strings.NewReplacer(pairs...)
}()

// rawToken is a run of letters of one script, before classification.
type rawToken struct {
	text   string
	script Script
	sep    string // the separator characters written before it
}

// splitRaw cuts a folded string into runs of one script. Apostrophes join
// (O'Brien, Qa'ida); a possessive 's is dropped; & becomes "and"; every
// other non-letter separates and is remembered for acronym joining.
func splitRaw(s string) []rawToken {
	var out []rawToken
	var cur strings.Builder
	curScript := ScriptOther
	var sep strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, rawToken{text: cur.String(), script: curScript, sep: sep.String()})
			sep.Reset()
			cur.Reset()
		}
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case isApostrophe(r):
			if cur.Len() > 0 && i+1 < len(rs) && (rs[i+1] == 's' || rs[i+1] == 'S') && (i+2 == len(rs) || !isWordRune(rs[i+2])) {
				i++ // possessive: Deutsche Bank's → deutsche bank
			}
			continue
		case isWordRune(r):
			sc := scriptOf(r)
			if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
				sc = curScript
				if cur.Len() == 0 {
					continue // a stray combining mark
				}
			}
			if cur.Len() > 0 && sc != curScript {
				flush()
			}
			curScript = sc
			cur.WriteRune(unicode.ToLower(r))
		case r == '&' || r == '＆':
			flush()
			out = append(out, rawToken{text: "and", script: ScriptLatin, sep: sep.String()})
			sep.Reset()
		default:
			flush()
			sep.WriteRune(r)
		}
	}
	flush()
	return joinAcronyms(out)
}

// joinAcronyms merges single Latin letters written with dots or slashes and
// no space between them: A.B.C. → abc, S.A.R.L. → sarl, A/S → as.
func joinAcronyms(in []rawToken) []rawToken {
	out := in[:0]
	for i := 0; i < len(in); i++ {
		t := in[i]
		if t.script == ScriptLatin && utf8.RuneCountInString(t.text) == 1 && isLetter(t.text) {
			j := i + 1
			for j < len(in) && in[j].script == ScriptLatin && (in[j].sep == "." || in[j].sep == "/") &&
				utf8.RuneCountInString(in[j].text) == 1 && isLetter(in[j].text) {
				t.text += in[j].text
				j++
			}
			i = j - 1
		}
		out = append(out, t)
	}
	return out
}

func isLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

// leet maps digits written for letters (Ig0r Sech1n) back to letters.
var leet = map[byte]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '9': 'g'}

// unleet rewrites a word whose digits sit between letters, when every digit
// has a letter reading: ig0r → igor, sech1n → sechin. Series marks such as
// AR16, 2004 or B52 are left alone: their digits stand at an end.
func unleet(w string) string {
	if len(w) < 3 {
		return w
	}
	digits, letters := 0, 0
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= '0' && c <= '9':
			if i == 0 || i == len(w)-1 {
				return w
			}
			if _, ok := leet[c]; !ok {
				return w
			}
			digits++
		case c >= 'a' && c <= 'z':
			letters++
		}
	}
	if digits == 0 || letters < 2 {
		return w
	}
	b := []byte(w)
	for i, c := range b {
		if l, ok := leet[c]; ok {
			b[i] = l
		}
	}
	return string(b)
}

// analyse is the whole normalisation pipeline (see Normalise).
func analyse(name string) []Token {
	s := norm.NFKC.String(name)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = cjkLegalReplacer.Replace(s)
	raws := splitRaw(s)

	// A name is Japanese when it has kana or a Japanese-only Han word; its
	// kanji words then take their Japanese reading, otherwise pinyin.
	japanese := false
	segs := make([][]hanSegment, len(raws))
	for i, r := range raws {
		switch r.script {
		case ScriptKana:
			japanese = true
		case ScriptHan:
			segs[i] = segmentHan(r.text)
			for _, sg := range segs[i] {
				if sg.word != nil && sg.word.lang == 'j' {
					japanese = true
				}
			}
		}
	}

	toks := make([]Token, 0, len(raws)+2)
	for i, r := range raws {
		switch r.script {
		case ScriptLatin:
			b := make([]byte, 0, len(r.text))
			for _, c := range r.text {
				b = foldLatin(b, c)
			}
			w := unleet(string(b))
			if w == "" {
				continue
			}
			toks = append(toks, Token{Text: w, Latin: w, Script: ScriptLatin})
		case ScriptHan:
			for _, sg := range segs[i] {
				toks = append(toks, hanToken(sg, japanese))
			}
		case ScriptKana:
			lat := kanaToLatin(r.text)
			t := Token{Text: r.text, Latin: lat, Script: ScriptKana}
			if en, ok := kanaLoans[lat]; ok {
				t.Alt = []string{en}
			}
			toks = append(toks, t)
		case ScriptArabic:
			// the article al- is written joined to the word: السيسي → al sisi
			text := r.text
			if strings.HasPrefix(text, "ال") && utf8.RuneCountInString(text) > 3 {
				toks = append(toks, Token{Text: "ال", Latin: "al", Script: ScriptArabic})
				text = strings.TrimPrefix(text, "ال")
			}
			toks = append(toks, Token{Text: text, Latin: transliterate(text, ScriptArabic), Script: ScriptArabic})
		default:
			toks = append(toks, Token{Text: r.text, Latin: transliterate(r.text, r.script), Script: r.script})
		}
	}
	toks = joinKanaLetters(toks)
	toks = expandWords(toks)
	classify(toks)
	return toks
}

// hanToken turns a Han segment into a token with its readings.
func hanToken(sg hanSegment, japanese bool) Token {
	t := Token{Text: sg.text, Script: ScriptHan}
	if w := sg.word; w != nil {
		zh := w.zh
		if zh == "" {
			if p, complete := pinyin(w.han); complete {
				zh = p
			}
		}
		primary, other := zh, w.ja
		if (japanese || w.lang == 'j') && w.ja != "" {
			primary, other = w.ja, zh
		}
		if primary == "" {
			primary, other = other, ""
		}
		t.Latin = primary
		if other != "" && other != primary {
			t.Alt = append(t.Alt, other)
		}
		if w.gloss != "" && w.gloss != primary {
			t.Alt = append(t.Alt, w.gloss)
		}
		t.Class = w.class
		return t
	}
	if p, complete := pinyin(sg.text); complete {
		t.Latin = p
	}
	return t
}

// expandWords rewrites Latin-form words: abbreviations (Intl → international,
// U.S. → united states) and spelled numbers (forty-four → 44).
func expandWords(in []Token) []Token {
	out := make([]Token, 0, len(in))
	for i := 0; i < len(in); i++ {
		t := in[i]
		// only words written in Latin letters: a transliterated word that
		// happens to spell an abbreviation (Greek στ → st) is not one, and
		// Key must give the same key for its own output
		if t.Script != ScriptLatin {
			out = append(out, t)
			continue
		}
		if n, ok := numberWords[t.Latin]; ok {
			// forty four, forty-four, forty 4
			if n >= 20 && n%10 == 0 && i+1 < len(in) {
				next := in[i+1].Latin
				if u, ok := numberWords[next]; ok && u > 0 && u < 10 {
					n += u
					i++
				} else if len(next) == 1 && next[0] >= '1' && next[0] <= '9' {
					n += int(next[0] - '0')
					i++
				}
			}
			d := strconv.Itoa(n)
			nt := Token{Text: d, Latin: d, Script: ScriptLatin}
			if !strings.ContainsAny(t.Latin, "0123456789") {
				nt.Alt = []string{t.Latin} // "first" meets ファースト
			}
			out = append(out, nt)
			continue
		}
		if exp, ok := abbreviations[t.Latin]; ok && (!nameSyllables[t.Latin] || organisationWords(in, i)) {
			for _, w := range strings.Fields(exp) {
				nt := Token{Text: w, Latin: w, Script: ScriptLatin}
				if isNumber(w) && !strings.ContainsAny(t.Latin, "0123456789") {
					nt.Alt = []string{t.Latin}
				}
				out = append(out, nt)
			}
			continue
		}
		out = append(out, t)
	}
	return out
}

// nameSyllables are abbreviations that are also syllables of personal
// names, the Korean given name Won-uk (Pae Wo'n-uk on the UN list,
// ペ・ウォンウク on MOF's) and the Chinese Wang-gen: expanded only in a name
// that has an organisation's word besides (UK Trading Ltd).
var nameSyllables = map[string]bool{"uk": true, "gen": true}

// organisationWords reports whether a token of in other than in[skip] is a
// generic word, starts a legal form or is another abbreviation.
func organisationWords(in []Token, skip int) bool {
	words := make([]string, len(in))
	for i, t := range in {
		words[i] = t.Latin
	}
	for i, w := range words {
		if i == skip || w == "" {
			continue
		}
		if _, abbr := abbreviations[w]; (abbr && !nameSyllables[w]) || genericWords[w] || matchLegal(words[i:]) > 0 {
			return true
		}
	}
	return false
}

// classify sets each token's class: legal forms first (longest phrase),
// then titles, particles, numbers, initials and generic words.
func classify(toks []Token) {
	// Words are matched against the lexicon in Latin letters; a katakana
	// loanword is matched by its English word (ジョイント・ベンチャー・カンパニー
	// is "joint venture company", a legal form).
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.Latin
		if t.Script == ScriptKana {
			if en, ok := kanaLoans[t.Latin]; ok {
				words[i] = en
			}
		}
	}
	for i := 0; i < len(toks); {
		if toks[i].Class == ClassLegal {
			i++
			continue
		}
		if toks[i].Script == ScriptHan || toks[i].Script == ScriptHangul {
			if isLegalWord(toks[i].Latin) {
				toks[i].Class = ClassLegal
			}
			i++
			continue
		}
		if n := matchLegal(words[i:]); n > 0 {
			for j := i; j < i+n; j++ {
				toks[j].Class = ClassLegal
			}
			i += n
			continue
		}
		i++
	}
	seenWord := false // a Roman numeral before any word is a name (Xi Jinping)
	for i := range toks {
		t := &toks[i]
		if t.Class == ClassName {
			w := words[i]
			switch {
			case w == "":
			case titles[w]:
				t.Class = ClassTitle
			case isParticle(w) && t.Script != ScriptHan && !(i == 0 && w == "ben" && len(toks) > 1):
				// a name does not start with a particle: a leading Ben is
				// the given name (Ben Netanyahu), not "son of"
				t.Class = ClassParticle
			case isNumber(w) && (seenWord || !romanNumerals[w]):
				t.Class = ClassNumber
			case len(w) == 1:
				t.Class = ClassInitial
			case genericWords[w] || placeWords[w] || genericLoan(w):
				t.Class = ClassGeneric
			}
		}
		if t.Class == ClassName || t.Class == ClassGeneric {
			seenWord = true
		}
	}
}

func isParticle(w string) bool {
	_, ok := particles[w]
	return ok
}

// isLegalWord reports a single-word legal form given in romanised form
// (kabushikikaisha, koporeshon).
func isLegalWord(w string) bool {
	return w != "" && matchLegal([]string{w}) == 1
}

func isNumber(w string) bool {
	if romanNumerals[w] {
		return true
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// kanaLetters are the katakana names of Latin letters, as lists write
// acronyms (エム・イー・シー for MEC, ピー・エル・シー for PLC).
var kanaLetters = map[string]byte{
	"エー": 'a', "エイ": 'a', "ビー": 'b', "シー": 'c', "ディー": 'd', "イー": 'e', "エフ": 'f',
	"ジー": 'g', "エイチ": 'h', "エッチ": 'h', "アイ": 'i', "ジェー": 'j', "ジェイ": 'j', "ケー": 'k',
	"ケイ": 'k', "エル": 'l', "エム": 'm', "エヌ": 'n', "オー": 'o', "ピー": 'p', "キュー": 'q',
	"アール": 'r', "エス": 's', "ティー": 't', "ユー": 'u', "ブイ": 'v', "ヴィー": 'v',
	"ダブリュー": 'w', "エックス": 'x', "ワイ": 'y', "ゼット": 'z', "ゼッド": 'z',
}

// spellKanaLetters reads a katakana word as a run of letter names
// (オーエムエム → omm); ok is false when it is not one.
func spellKanaLetters(s string) (string, bool) {
	rs := []rune(s)
	var out []byte
	for i := 0; i < len(rs); {
		found := 0
		for n := min(5, len(rs)-i); n >= 2; n-- {
			if c, ok := kanaLetters[string(rs[i:i+n])]; ok {
				out = append(out, c)
				found = n
				break
			}
		}
		if found == 0 {
			return "", false
		}
		i += found
	}
	return string(out), len(out) > 0
}

// joinKanaLetters turns acronyms spelled in katakana into Latin words: a
// run of two or more katakana letter names written apart (エム・イー・シー), or
// one word made only of letter names and at least two of them (オーエムエム).
func joinKanaLetters(in []Token) []Token {
	out := in[:0:0]
	for i := 0; i < len(in); i++ {
		t := in[i]
		if t.Script != ScriptKana {
			out = append(out, t)
			continue
		}
		if c, ok := kanaLetters[t.Text]; ok {
			j := i + 1
			word := []byte{c}
			for j < len(in) && in[j].Script == ScriptKana {
				c2, ok := kanaLetters[in[j].Text]
				if !ok {
					break
				}
				word = append(word, c2)
				j++
			}
			if len(word) >= 2 {
				out = append(out, Token{Text: string(word), Latin: string(word), Script: ScriptLatin})
				i = j - 1
				continue
			}
		}
		if w, ok := spellKanaLetters(t.Text); ok && len(w) >= 2 && utf8.RuneCountInString(t.Text) >= 4 {
			out = append(out, Token{Text: w, Latin: w, Script: ScriptLatin})
			continue
		}
		out = append(out, t)
	}
	return out
}
