package names

import (
	"math"
	"slices"
	"strings"
)

// tok is a token made ready for scoring: its forms, phonetic spelling and
// consonant skeleton are computed once. The index shares one tok per
// distinct word among all entries.
type tok struct {
	Token
	forms    []string // Latin form first, then Alt; empty when none
	phon     []string // phonetic form of each entry of forms
	skel     string   // skeleton of the Latin form
	particle string   // particle equivalence key (al/el → al)
	prior    float64  // class weight times the commonness prior
}

// Class weights. A legal form or a title never counts; a particle counts
// very little; a generic word counts about a third of a name word.
const (
	weightName     = 1.0
	weightGeneric  = 0.35
	weightParticle = 0.12
	weightNumber   = 0.4
	weightInitial  = 0.35
)

func classWeight(c Class) float64 {
	switch c {
	case ClassName:
		return weightName
	case ClassGeneric:
		return weightGeneric
	case ClassParticle:
		return weightParticle
	case ClassNumber:
		return weightNumber
	case ClassInitial:
		return weightInitial
	}
	return 0
}

func newTok(t Token) *tok {
	k := &tok{Token: t}
	if t.Latin != "" {
		k.forms = append(k.forms, t.Latin)
	}
	for _, a := range t.Alt {
		if a != "" && a != t.Latin {
			k.forms = append(k.forms, a)
		}
	}
	k.phon = make([]string, len(k.forms))
	for i, f := range k.forms {
		k.phon[i] = phonetic(f)
	}
	if t.Latin != "" {
		k.skel = skeleton(t.Latin)
	}
	if t.Class == ClassParticle {
		k.particle = particles[t.Latin]
	}
	k.prior = classWeight(t.Class) * commonness(t)
	return k
}

// counts reports whether a token takes part in scoring at all.
func (k *tok) counts() bool { return countsClass(k.Class) }

func countsClass(c Class) bool { return c != ClassLegal && c != ClassTitle }

// wordLike reports tokens that can pair by spelling (names and generic words).
func (k *tok) wordLike() bool { return wordLikeClass(k.Class) }

func wordLikeClass(c Class) bool { return c == ClassName || c == ClassGeneric }

func prepare(name string) []*tok {
	ts := analyse(name)
	out := make([]*tok, len(ts))
	for i, t := range ts {
		out[i] = newTok(t)
	}
	return out
}

// How two tokens were found alike, for the explanation.
const (
	viaExact    = "exact"
	viaSpelling = "spelling"
	viaPhonetic = "phonetic"
	viaSkeleton = "skeleton"
	viaInitial  = "initial"
	viaJoined   = "joined"
	viaReading  = "reading"
	viaScript   = "script"
	viaParticle = "particle"
	viaAcronym  = "acronym"
	viaKana     = "katakana reading"
	viaNickname = "given-name variant"
)

// minPairSim is the lowest token similarity that pairs two tokens. Below it
// the tokens are different words (Daniel/Donald, Chad/China).
const minPairSim = 0.78

// noVowelScript reports scripts whose Latin form lacks the vowels of an
// English spelling (Arabic) or adds vowels English does not have (kana), so
// that skeletons are the fair comparison.
func noVowelScript(s Script) bool {
	return s == ScriptArabic || s == ScriptKana || s == ScriptHan
}

// sameCJK reports two Han or two Hangul tokens, which are compared only in
// their own characters.
func sameCJK(x, y *tok) bool {
	return x.Script == y.Script && (x.Script == ScriptHan || x.Script == ScriptHangul)
}

// shareForm reports two tokens with a reading or gloss in common.
func shareForm(x, y *tok) bool {
	for _, fx := range x.forms {
		for _, fy := range y.forms {
			if fx == fy {
				return true
			}
		}
	}
	return false
}

// tokenSim compares two word-like tokens and says how.
func tokenSim(x, y *tok) (float64, string) {
	// Chinese, Japanese and Korean words of the same script meet only in
	// their own characters: pinyin of two different characters is often
	// the same or nearly so.
	if x.Script == y.Script && (x.Script == ScriptHan || x.Script == ScriptHangul || x.Script == ScriptHebrew || x.Script == ScriptOther) {
		if x.Text == y.Text {
			return 1, viaExact
		}
		if x.Class == ClassGeneric && y.Class == ClassGeneric && shareForm(x, y) {
			return 1, viaReading // 商事 and 貿易 are both "trading"
		}
		s := runeSim(x.Text, y.Text)
		if x.Script == ScriptHan || x.Script == ScriptHangul {
			// one character is a syllable: a different one is a different name
			s *= 0.85
		}
		return s, viaScript
	}
	if x.Text == y.Text && x.Script == y.Script {
		return 1, viaExact
	}
	best, via := 0.0, viaSpelling
	// The phonetic folds are for Latin spellings of one sound (Yusuf /
	// Jusuf); two Japanese readings are exact syllables, and ヤ and ジ are
	// different ones (ヤマト / ジャミヤート).
	phonetics := !(japaneseScript(x.Script) && japaneseScript(y.Script))
	for i, fx := range x.forms {
		for j, fy := range y.forms {
			if fx == fy {
				v := viaExact
				if i > 0 || j > 0 || x.Script != y.Script {
					v = viaReading
				}
				return 1, v
			}
			s := stringSim(fx, fy)
			v := viaSpelling
			if ps := stringSim(x.phon[i], y.phon[j]) - 0.02; phonetics && ps > s {
				s, v = ps, viaPhonetic
			}
			if (i > 0 || j > 0) && s < 1 {
				s *= 0.97 // a reading or gloss is an approximation
				v = viaReading
			}
			if s < 0.95 && ((i == 0 && x.Script == ScriptHan) || (j == 0 && y.Script == ScriptHan)) {
				// pinyin is exact per character: a near miss is another character
				s *= 0.85
			}
			if s < 0.9 && len(fx) <= 8 && voicingFold(fx) == voicingFold(fy) && fx != fy {
				s, v = 0.9, viaPhonetic
			}
			if s > best {
				best, via = s, v
			}
		}
	}
	if best >= minPairSim && isPatronymic(x.Latin) != isPatronymic(y.Latin) {
		// Oleksandr is not Oleksandrovych: a given name and a patronymic
		// made from it are different parts of a name
		best *= 0.85
	}
	if best < 0.9 && x.Class == ClassName && y.Class == ClassName && sameGivenName(x.Latin, y.Latin) {
		best, via = 0.9, viaNickname
	}
	if (noVowelScript(x.Script) || noVowelScript(y.Script)) && x.Script != y.Script {
		minSkel := 2
		if x.Script == ScriptHan || y.Script == ScriptHan {
			minSkel = 3 // pinyin syllables give short, common skeletons
		}
		xs, ys := x.skel, y.skel
		if x.Script == ScriptKana && y.Script == ScriptLatin {
			ys = kanaSkeleton(y.Latin, ys)
		} else if y.Script == ScriptKana && x.Script == ScriptLatin {
			xs = kanaSkeleton(x.Latin, xs)
		}
		if kana, latin, ok := withLatin(x, y, ScriptKana); ok && xs == ys && !kanaSyllablesAgree(kana.Latin, latin.Latin) {
			// the same skeleton, but not syllable by syllable: it lends
			// what the syllables' skeletons have in common
			xs, ys = syllableSkeleton(kana.Latin, false), kanaSkeleton(latin.Latin, syllableSkeleton(latin.Latin, true))
		}
		s, sv := 0.0, viaSkeleton
		if len(xs) >= minSkel && len(ys) >= minSkel {
			s = stringSim(xs, ys) * 0.9
			if xs == ys {
				s = 0.92
			} else if (x.Script == ScriptKana || y.Script == ScriptKana) && min(len(xs), len(ys)) >= 3 &&
				(strings.HasPrefix(xs, ys) || strings.HasPrefix(ys, xs)) && s < 0.85 {
				// katakana drops English endings: イスラム for Islamic
				s = 0.85
			}
		}
		if kana, latin, ok := withLatin(x, y, ScriptKana); ok {
			// Skeletons say too little on their own (see kanaLatinSim):
			// the vowels must agree too, and a close reading counts
			// where the skeletons differ (プーチン puchin / Putin).
			// The folded forms are made here, not kept on every token: only
			// katakana queries and entries need them.
			kf, lf := kanaForm(kana.Token), kanaForm(latin.Token)
			if kanaLatinComparable(kf, latin.Latin, lf) {
				v := kanaLatinWordSim(kf, latin.Latin, lf)
				s = skeletonHeldToVowels(s, v, kf, lf, plainSyllables(kana.Text))
				if r := min(v*kanaReadingFactor, 0.92); r > s {
					s, sv = r, viaKana
				}
			} else {
				s = 0
			}
		} else if han, latin, ok := withLatin(x, y, ScriptHan); ok {
			// a Japanese reading has its vowels as katakana does: 小林
			// kobayashi is not KPS, nor KIPAS, whose skeleton it shares
			hf, lf := kanaForm(han.Token), kanaForm(latin.Token)
			if kanaLatinComparable(hf, latin.Latin, lf) {
				s = skeletonHeldToVowels(s, kanaLatinWordSim(hf, latin.Latin, lf), hf, lf, true)
			} else {
				s = 0
			}
		}
		if s > best {
			best, via = s, sv
		}
	}
	return best, via
}

// pairSim compares any two counting tokens under the class rules: particles
// pair only with particles of the same key, numbers only when equal, an
// initial with a word that starts with it.
func pairSim(x, y *tok) (float64, string) {
	if x.Latin != "" && x.Latin == y.Latin && x.Class != ClassParticle && y.Class != ClassParticle && !sameCJK(x, y) {
		if x.Script != y.Script {
			return 1, viaReading
		}
		return 1, viaExact
	}
	switch {
	case x.Class == ClassParticle || y.Class == ClassParticle:
		if x.Class == y.Class && x.particle == y.particle {
			return 1, viaParticle
		}
		return 0, ""
	case x.Class == ClassNumber || y.Class == ClassNumber:
		if x.Class == y.Class && x.Latin == y.Latin {
			return 1, viaExact
		}
		if x.Class != y.Class && (len(x.Alt) > 0 || len(y.Alt) > 0) && x.wordLike() != y.wordLike() {
			// a spelled number keeps its word (First) for other scripts
			return tokenSim(x, y)
		}
		return 0, ""
	case x.Class == ClassInitial && y.Class == ClassInitial:
		if x.Latin == y.Latin {
			return 1, viaExact
		}
		return 0, ""
	case x.Class == ClassInitial:
		return initialSim(x, y)
	case y.Class == ClassInitial:
		return initialSim(y, x)
	}
	return tokenSim(x, y)
}

func initialSim(ini, w *tok) (float64, string) {
	for _, f := range w.forms {
		if f != "" && f[0] == ini.Latin[0] {
			return 0.9, viaInitial
		}
	}
	return 0, ""
}

// span is a run of consecutive tokens on one side of an alignment.
type span struct{ from, to int } // tokens[from:to]

// candidate is a possible pairing of a span of a with a span of b.
type candidate struct {
	a, b span
	sim  float64
	via  string
}

// joinForms concatenates the Latin forms of a span (SiemensAG ~ Siemens AG,
// Patr ushev ~ Patrushev).
func joinForms(ts []*tok, s span) string {
	var b strings.Builder
	for _, t := range ts[s.from:s.to] {
		b.WriteString(t.form())
	}
	return b.String()
}

// maxJoin is the most tokens joined to meet one token on the other side.
const maxJoin = 3

// candidates lists the token pairings worth considering, best first.
func candidates(a, b []*tok, sim simFunc) []candidate {
	out := make([]candidate, 0, 2*len(a)+2)
	for i, x := range a {
		if !x.counts() {
			continue
		}
		for j, y := range b {
			if !y.counts() {
				continue
			}
			s, via := sim(i, j)
			if s >= minPairSim {
				out = append(out, candidate{a: span{i, i + 1}, b: span{j, j + 1}, sim: s, via: via})
			}
		}
	}
	out = appendJoined(out, a, b, false)
	out = appendJoined(out, b, a, true)
	out = appendAcronyms(out, a, b, false)
	out = appendAcronyms(out, b, a, true)
	slices.SortStableFunc(out, func(x, y candidate) int {
		if x.sim != y.sim {
			if x.sim > y.sim {
				return -1
			}
			return 1
		}
		// prefer the pairing that uses more tokens, then the earlier one
		lx := x.a.to - x.a.from + x.b.to - x.b.from
		ly := y.a.to - y.a.from + y.b.to - y.b.from
		if lx != ly {
			return ly - lx
		}
		if x.a.from != y.a.from {
			return x.a.from - y.a.from
		}
		return x.b.from - y.b.from
	})
	return out
}

// appendJoined adds pairings of 2..maxJoin consecutive tokens of side x with
// one word of side y. swapped says x is the b side.
func appendJoined(out []candidate, xs, ys []*tok, swapped bool) []candidate {
	// The first sounds of the katakana words and of each start on this
	// side, found once here rather than for every pairing.
	var ySound []byte
	for i := range xs {
		if !xs[i].counts() || xs[i].Latin == "" {
			continue
		}
		var xSound byte
		for n := 2; n <= maxJoin && i+n <= len(xs); n++ {
			sp := span{i, i + n}
			ok := true
			for _, t := range xs[i+1 : i+n] {
				if t.Latin == "" || t.Class == ClassTitle {
					ok = false
				}
			}
			if !ok {
				break
			}
			joinedLen := 0
			for _, t := range xs[i : i+n] {
				joinedLen += len(t.form())
			}
			joined := ""
			for j, y := range ys {
				if !y.wordLike() || y.Latin == "" || len(y.Latin) < 4 {
					continue
				}
				// cheap filters: similar length, and the same first letter
				// or one letter off ('Ndrangheta ~ Andrang Heta)
				d := joinedLen - len(y.Latin)
				if d < 0 {
					d = -d
				}
				if d > 2+len(y.Latin)/5 {
					continue
				}
				if joined == "" {
					joined = joinForms(xs, sp)
				}
				if joined[0] != y.Latin[0] && (len(joined) < 2 || joined[1] != y.Latin[0]) && joined[0] != y.Latin[1] {
					// katakana voices a Korean syllable (ギョン / Kyong),
					// writes hw as フ (フンマン / Hung Man), l as r
					if y.Script != ScriptKana {
						continue
					}
					if ySound == nil {
						ySound = make([]byte, len(ys))
					}
					if ySound[j] == 0 {
						ySound[j] = foldedFirstSound(y.Latin)
					}
					if xSound == 0 {
						xSound = foldedFirstSound(joined)
					}
					if xSound != ySound[j] {
						continue
					}
				}
				s := stringSim(joined, y.Latin)
				if s < 0.95 && (y.Script == ScriptHan || xs[i].Script == ScriptHan) {
					s *= 0.85 // pinyin is exact per character (see tokenSim)
				}
				if y.Script == ScriptKana && allScript(xs[i:i+n], ScriptLatin) {
					s = max(s, kanaJoinedSim(y.Token, xs[i:i+n], joined))
				}
				if s < minPairSim {
					continue
				}
				via := viaJoined
				c := candidate{a: sp, b: span{j, j + 1}, sim: s, via: via}
				if swapped {
					c.a, c.b = c.b, c.a
				}
				out = append(out, c)
			}
		}
	}
	return out
}

// allScript reports whether every token is of script sc.
func allScript(ts []*tok, sc Script) bool {
	for _, t := range ts {
		if t.Script != sc {
			return false
		}
	}
	return true
}

// kanaJoinedSim compares one katakana word with Latin words written
// together, the way tokenSim compares a katakana word with one Latin word:
// katakana writes a Korean given name as one word where the lists split
// its syllables (ソンチョル / Song Chol, ヨンチョル / Yong-Chol).
//
// Katakana also writes such a name as Korean is spoken, where the syllable
// after the family name starts voiced (キム・ギョンイル / Kim Kyong Il, グァンチョル
// / Kwang Chol, ジェイル / Chae Il) and romanisations write it unvoiced; when
// every Latin word is one Korean syllable, the voiced start is read as the
// Latin one, for a little less than a written match.
func kanaJoinedSim(kana Token, parts []*tok, joinedLatin string) float64 {
	kf, lf := kanaForm(kana), kanaFold(kanaLatin(joinedLatin))
	if !kanaLatinComparable(kf, joinedLatin, lf) {
		return 0
	}
	v := kanaLatinWordSim(kf, joinedLatin, lf)
	for _, t := range parts {
		if !koreanSyllableShape(t.Latin) {
			return min(v*kanaReadingFactor, 0.92) // most joined words: no allocation below
		}
	}
	syllables := make([]string, len(parts))
	for i, t := range parts {
		syllables[i] = t.Latin
	}
	if korean, ok := koreanSpoken(syllables...); ok {
		kl := kanaFold(korean) // not kanaLatin: a final e is spoken (チェ / Chae)
		k := kf
		if k[0] != kl[0] && voicedFirst(k) == voicedFirst(foldedChAsC(kl)) {
			k = kl[:1] + k[1:]
		}
		v = max(v, kanaLatinSim(k, kl)*0.95)
	}
	return min(v*kanaReadingFactor, 0.92)
}

// foldedChAsC writes the c that kanaFold makes of ch back as ch, so that
// voicedFirst pairs it with j (ジェ / Chae).
func foldedChAsC(w string) string {
	if w != "" && w[0] == 'c' {
		return "ch" + w[1:]
	}
	return w
}

// koreanSpoken joins words that are each one syllable as Korean
// romanisations write them (kyong, il, chol, hwan, ok, seong) the way
// katakana hears them: an initial hw is フ (ファン / Hwang), a final ng is ン
// (ソンイル / Song Il, where the joined "songil" would put a g before the i),
// and written m before m, b and p (ヨンム / Yong Mu), ae and oe are エ (ジェ /
// Chae, チェ / Choe), and the eo and eu of the Revised Romanisation are オ and
// ウ. It reports false when a word is not such a syllable
// (splitKoreanSyllable).
func koreanSpoken(syllables ...string) (string, bool) {
	var b strings.Builder
	for _, w := range syllables {
		onset, vowel, coda, ok := splitKoreanSyllable(w)
		if !ok {
			return "", false
		}
		if coda == "ng" {
			coda = "n"
		}
		switch vowel {
		case "ae", "oe":
			vowel = "e"
		case "eo":
			vowel = "o"
		case "eu":
			vowel = "u"
		}
		if onset == "hw" {
			onset = "f" // ファン / Hwang, フィ / Hwi
		}
		if last := b.Len() - 1; last >= 0 && b.String()[last] == 'n' && (onset == "m" || onset == "b" || onset == "p") {
			// Hepburn writes ン before m, b and p as m (ヨンム yommu / Yong Mu)
			s := b.String()[:last]
			b.Reset()
			b.WriteString(s)
			b.WriteByte('m')
		}
		b.WriteString(onset)
		b.WriteString(vowel)
		b.WriteString(coda)
	}
	return b.String(), true
}

// acronymSim is the similarity given to an acronym written out in full
// (PLA ~ People's Liberation Army, JC ~ Jean-Claude).
const acronymSim = 0.9

// appendAcronyms adds pairings of a short word of side x with the initials
// of consecutive words of side y; particles between them may be skipped
// (BOC ~ Bank of China).
func appendAcronyms(out []candidate, xs, ys []*tok, swapped bool) []candidate {
	alone := countingWords(xs) == 1
	for i, x := range xs {
		n := len(x.Latin)
		if !x.counts() || x.Script != ScriptLatin || n < 2 || n > 5 || !(x.Class == ClassName || x.Class == ClassGeneric) {
			continue
		}
		if n == 2 && alone {
			// A name that is only two letters (SE, HM) would meet every
			// two-word name with those initials; beside other words
			// (JC Juncker) the initials are worth pairing.
			continue
		}
		for start := range ys {
			if !ys[start].wordLike() || ys[start].Latin == "" || ys[start].Latin[0] != x.Latin[0] {
				continue
			}
			k, j := 0, start
			for j < len(ys) && k < n {
				y := ys[j]
				if y.Class == ClassParticle && k > 0 {
					j++
					continue
				}
				if !y.wordLike() || y.Latin == "" || len(y.Latin) < 2 || y.Latin[0] != x.Latin[k] {
					break
				}
				k++
				j++
			}
			if k != n {
				continue
			}
			c := candidate{a: span{i, i + 1}, b: span{start, j}, sim: acronymSim, via: viaAcronym}
			if swapped {
				c.a, c.b = c.b, c.a
			}
			out = append(out, c)
		}
	}
	return out
}

// simFunc gives the similarity of a[i] and b[j]. Compare computes it; the
// index answers from what its lookup already computed.
type simFunc func(i, j int) (float64, string)

// pairing is one accepted pairing of an alignment.
type pairing struct {
	candidate
}

// align pairs tokens greedily, best similarity first; a token takes part in
// at most one pairing. Order does not matter (Putin, Vladimir).
func align(a, b []*tok, sim simFunc) []pairing {
	cands := candidates(a, b, sim)
	usedA, usedB := make([]bool, len(a)), make([]bool, len(b))
	var out []pairing
	for _, c := range cands {
		free := true
		for i := c.a.from; i < c.a.to && free; i++ {
			free = !usedA[i]
		}
		for j := c.b.from; j < c.b.to && free; j++ {
			free = !usedB[j]
		}
		if !free {
			continue
		}
		for i := c.a.from; i < c.a.to; i++ {
			usedA[i] = true
		}
		for j := c.b.from; j < c.b.to; j++ {
			usedB[j] = true
		}
		out = append(out, pairing{c})
	}
	slices.SortFunc(out, func(x, y pairing) int { return x.a.from - y.a.from })
	return out
}

// Scoring constants, chosen on the benchmark and own pair sets as general
// rules (see README): lambda weighs the better-covered side, conflictCost is
// what an unpaired word on both sides costs, genericCap holds a match that
// rests on generic words only below any threshold.
const (
	lambda       = 0.6
	conflictCost = 1.0
	genericCap   = 0.5
	initialShare = 0.5 // an initial confirms only part of the word it meets
)

// scored is the outcome of scoring two token lists.
type scored struct {
	score     float64
	pairs     []pairing
	covA      float64
	covB      float64
	conflict  float64
	penalties []Penalty
}

// weightFn gives the weight of a token on one side; Compare uses the class
// and commonness prior, the index its rarity in the lists.
type weightFn func(side int, i int, t *tok) float64

func priorWeight(_ int, _ int, t *tok) float64 { return t.prior }

// score aligns a and b and scores the alignment.
func score(a, b []*tok, w weightFn, sim simFunc, kind string) scored {
	if sim == nil {
		sim = func(i, j int) (float64, string) { return pairSim(a[i], b[j]) }
	}
	pairs := align(a, b, sim)
	wa, wb := make([]float64, len(a)), make([]float64, len(b))
	var totA, totB float64
	for i, t := range a {
		if t.counts() {
			wa[i] = w(0, i, t)
			totA += wa[i]
		}
	}
	for j, t := range b {
		if t.counts() {
			wb[j] = w(1, j, t)
			totB += wb[j]
		}
	}
	var res scored
	res.pairs = pairs
	if totA == 0 || totB == 0 {
		return res
	}
	usedA, usedB := make([]bool, len(a)), make([]bool, len(b))
	var mA, mB float64
	nameMatched := false
	person := isPerson(kind, a, b)
	for _, p := range pairs {
		shareA, shareB := 1.0, 1.0
		if p.via == viaInitial {
			// the word side of an initial pairing gets only part credit
			if a[p.a.from].Class == ClassInitial {
				shareB = initialShare
			} else {
				shareA = initialShare
			}
		}
		nameA, nameB := false, false
		for i := p.a.from; i < p.a.to; i++ {
			usedA[i] = true
			mA += wa[i] * p.sim * shareA
			nameA = nameA || a[i].Class == ClassName
		}
		for j := p.b.from; j < p.b.to; j++ {
			usedB[j] = true
			mB += wb[j] * p.sim * shareB
			nameB = nameB || b[j].Class == ClassName
		}
		// an initial, or for a person an acronym (N.N. ~ Nursultan
		// Nazarbayev), confirms letters, not a name
		if (nameA || nameB) && p.via != viaInitial && !(person && p.via == viaAcronym) {
			nameMatched = true
		}
	}
	res.covA, res.covB = mA/totA, mB/totB
	// Unpaired words on both sides are a conflict (Bank of Chad / Bank of
	// China, Sergey Ivanovich / Sergey Viktorovich): the names say different
	// things. An extra word on one side only (a middle name, a branch) is not.
	res.conflict = math.Min(conflictShare(a, usedA), conflictShare(b, usedB))
	hi, lo := res.covA, res.covB
	if lo > hi {
		hi, lo = lo, hi
	}
	s := lambda*hi + (1-lambda)*lo
	if res.conflict > 0 {
		cost := conflictCost * res.conflict
		s -= cost
		res.penalties = append(res.penalties, Penalty{Reason: "words on both sides without a partner", Amount: round3(cost)})
	}
	if swaps := lineageSwaps(a, b, pairs); swaps > 0 {
		cost := lineageSwapCost * float64(swaps)
		s -= cost
		res.penalties = append(res.penalties, Penalty{Reason: "given name and father's name swapped around bin/ibn", Amount: round3(cost)})
	}
	if fa, fb := legalFamilies(a), legalFamilies(b); fa != 0 && fb != 0 && fa&fb == 0 {
		s -= legalConflictCost
		res.penalties = append(res.penalties, Penalty{Reason: "different legal forms (AG / GmbH, LLC / JSC)", Amount: legalConflictCost})
	}
	if person && s > singleNameCap && !hasTitle(a) && !hasTitle(b) {
		if (countingWords(a) == 1 && unpairedNames(b, usedB) > 0) || (countingWords(b) == 1 && unpairedNames(a, usedA) > 0) {
			res.penalties = append(res.penalties, Penalty{Reason: "a single name against a full person name", Amount: round3(s - singleNameCap)})
			s = singleNameCap
		}
	}
	if !nameMatched && s > genericCap && (hasName(a) || hasName(b)) {
		res.penalties = append(res.penalties, Penalty{Reason: "only generic words, particles, numbers or initials agree", Amount: round3(s - genericCap)})
		s = genericCap
	}
	res.score = clamp01(s)
	return res
}

// conflictWeight is how much an unpaired token of a class says that two
// names differ. An initial counts fully (William G. Frost is not William W.
// Frost); a number not at all, since lists and requesters write series and
// branch numbers inconsistently; a particle not at all.
func conflictWeight(c Class) float64 {
	switch c {
	case ClassName, ClassInitial:
		return 1
	case ClassGeneric:
		return 0.25
	}
	return 0
}

// conflictShare is the share of a name's conflict weight left unpaired.
func conflictShare(ts []*tok, used []bool) float64 {
	var all, left float64
	for i, t := range ts {
		if !t.counts() {
			continue
		}
		w := conflictWeight(t.Class) * t.prior / math.Max(classWeight(t.Class), 1e-9)
		all += w
		if !used[i] {
			left += w
		}
	}
	if all == 0 {
		return 0
	}
	return left / all
}

// lineageSwapCost is taken for each name word that stands before bin/ibn in
// one name and after it in the other: Salman bin Muhammad is the son of
// Muhammad bin Salman, not the same man.
const lineageSwapCost = 0.2

// lineageSwaps counts pairings that cross the bin/ibn particle, when both
// names have words on both sides of it.
func lineageSwaps(a, b []*tok, pairs []pairing) int {
	pa, pb := lineageParticle(a), lineageParticle(b)
	if pa < 0 || pb < 0 {
		return 0
	}
	n := 0
	for _, p := range pairs {
		if a[p.a.from].Class != ClassName || b[p.b.from].Class != ClassName {
			continue
		}
		if (p.a.from < pa) != (p.b.from < pb) {
			n++
		}
	}
	return n
}

// lineageParticle is the index of the first bin/ibn/ben with name words
// before and after it, or -1.
func lineageParticle(ts []*tok) int {
	for i, t := range ts {
		if t.Class != ClassParticle || t.particle != "bin" {
			continue
		}
		before, after := false, false
		for _, u := range ts[:i] {
			before = before || u.Class == ClassName
		}
		for _, u := range ts[i+1:] {
			after = after || u.Class == ClassName
		}
		if before && after {
			return i
		}
		return -1
	}
	return -1
}

// hasTitle reports a title (President, Mr, Dr): a person named by title and
// surname is a specific person, so the single-name cap does not apply.
func hasTitle(ts []*tok) bool {
	for _, t := range ts {
		if t.Class == ClassTitle {
			return true
		}
	}
	return false
}

// singleNameCap holds a one-word person name ("Smith") below the threshold
// against a full name: a surname alone is shared by too many people.
const singleNameCap = 0.7

// isPerson says whether two names are compared as person names: as told,
// or, when the kind is not known, when neither has a legal form or a
// generic word.
func isPerson(kind string, a, b []*tok) bool {
	switch kind {
	case "person", "individual", "Person":
		return true
	case "":
	default:
		return false
	}
	for _, ts := range [2][]*tok{a, b} {
		for _, t := range ts {
			if t.Class == ClassLegal || t.Class == ClassGeneric || t.Class == ClassNumber {
				return false
			}
		}
	}
	return true
}

// countingWords is the number of tokens that count, particles aside.
func countingWords(ts []*tok) int {
	n := 0
	for _, t := range ts {
		if t.counts() && t.Class != ClassParticle {
			n++
		}
	}
	return n
}

// unpairedNames is the number of name words left without a partner.
func unpairedNames(ts []*tok, used []bool) int {
	n := 0
	for i, t := range ts {
		if t.Class == ClassName && !used[i] {
			n++
		}
	}
	return n
}

// hasName reports whether a name has a distinctive word at all. Two names
// made only of generic words ("World Bank", "International Labour
// Organization") are compared as they are; the generic cap is for names
// whose distinctive words disagree.
func hasName(ts []*tok) bool {
	for _, t := range ts {
		if t.Class == ClassName {
			return true
		}
	}
	return false
}

func clamp01(x float64) float64 {
	if x < 0 || math.IsNaN(x) {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// commonness is a prior for how common a word is in names when no list
// statistics are at hand (Compare). Very short words carry less: "Li", "Ri"
// and "Kim" are shared by millions.
func commonness(t Token) float64 {
	n := len(t.Latin)
	if t.Script == ScriptHan || t.Script == ScriptHangul {
		return 1
	}
	switch {
	case n == 0:
		return 1
	case n <= 2:
		return 0.6
	case n == 3:
		return 0.85
	}
	return 1
}

// legalConflictCost is taken when both names carry legal forms of
// different families (see legalFamily).
const legalConflictCost = 0.1

// legalFamilies is the set of legal-form families a name carries, read from
// the runs of legal tokens.
func legalFamilies(ts []*tok) uint8 {
	var f uint8
	for i := 0; i < len(ts); {
		if ts[i].Class != ClassLegal {
			i++
			continue
		}
		j := i
		var words []string
		for j < len(ts) && ts[j].Class == ClassLegal {
			words = append(words, ts[j].Latin)
			j++
		}
		// the longest family name inside the run, then what follows it
		for k := 0; k < len(words); {
			matched := 0
			for n := len(words) - k; n >= 1; n-- {
				if fam, ok := legalFamily[strings.Join(words[k:k+n], " ")]; ok {
					f |= fam
					matched = n
					break
				}
			}
			k += max(matched, 1)
		}
		i = j
	}
	return f
}

const (
	// kanaSlack is how far a skeleton match between katakana and Latin
	// may stand above the two words' vowel-aware similarity (kanaLatinSim).
	kanaSlack = 0.2
	// kanaReadingFactor discounts a vowel-aware similarity used on its own,
	// as a reading is an approximation.
	kanaReadingFactor = 0.95
)

// skeletonHeldToVowels caps a skeleton score s of a Japanese reading (folded
// kf) against a Latin word (folded lf) at kanaSlack above v, their
// vowel-aware similarity, and at v itself where the reading's vowels are its
// own (ownVowels: a kanji reading, or katakana in plain syllables) and most of
// them differ (kanaVowelsDiffer).
func skeletonHeldToVowels(s, v float64, kf, lf string, ownVowels bool) float64 {
	s = min(s, v+kanaSlack)
	if s > v && ownVowels && kanaVowelsDiffer(kf, lf) {
		return v
	}
	return s
}

// plainSyllables reports a katakana word written as Japanese words are, in
// plain syllables without long vowels, small kana or a doubled consonant
// (イズミ, コスモ, スズラン): its vowels are the word's own. Foreign words
// are written from their sound (ジェームズ James, ピーター Peter), which English
// spelling does not give.
func plainSyllables(kana string) bool {
	return !strings.ContainsAny(kana, "ーッァィゥェォャュョヮ")
}

// japaneseScript reports kana and Han, whose tokens carry Japanese readings.
func japaneseScript(s Script) bool {
	return s == ScriptKana || s == ScriptHan
}

// withLatin orders two tokens as (one of script s, one in Latin), if that
// is what x and y are.
func withLatin(x, y *tok, s Script) (other, latin *tok, ok bool) {
	switch {
	case x.Script == s && y.Script == ScriptLatin:
		return x, y, true
	case y.Script == s && x.Script == ScriptLatin:
		return y, x, true
	}
	return nil, nil, false
}
