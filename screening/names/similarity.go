package names

import (
	"slices"
	"strings"
)

// jaroWinkler is the Jaro-Winkler similarity of two strings compared byte by
// byte (Latin forms are ASCII), with the usual prefix scale 0.1 over at most
// four characters.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	var matchedA, matchedB [64]bool
	if lb > 64 {
		return jaroWinklerLong(a, b)
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		for j := lo; j < hi; j++ {
			if !matchedB[j] && a[i] == b[j] {
				matchedA[i], matchedB[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if !matchedA[i] {
			continue
		}
		for !matchedB[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	prefix := 0
	for prefix < 4 && prefix < la && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// jaroWinklerLong handles strings longer than the fixed buffers; names that
// long are rare (concatenated tokens), so it may allocate.
func jaroWinklerLong(a, b string) float64 {
	la, lb := len(a), len(b)
	window := lb/2 - 1
	matchedA, matchedB := make([]bool, la), make([]bool, lb)
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !matchedB[j] && a[i] == b[j] {
				matchedA[i], matchedB[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if !matchedA[i] {
			continue
		}
		for !matchedB[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	prefix := 0
	for prefix < 4 && prefix < la && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// editDistance is the optimal-string-alignment distance (Levenshtein plus
// adjacent transpositions) of two byte strings.
func editDistance(a, b string) int {
	la, lb := len(a), len(b)
	if la == 0 {
		return lb
	}
	if lb == 0 {
		return la
	}
	var buf [3 * 65]int
	var prev2, prev, cur []int
	if lb+1 <= 65 {
		prev2, prev, cur = buf[0:lb+1], buf[65:65+lb+1], buf[130:130+lb+1]
	} else {
		prev2, prev, cur = make([]int, lb+1), make([]int, lb+1), make([]int, lb+1)
	}
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// stringSim is the similarity of two Latin forms in 0..1: the mean of
// Jaro-Winkler (forgiving at the end of a word, strict at its start) and the
// edit-distance ratio (strict about how many letters differ), so that one
// typo in a long word scores high and two different short words do not.
func stringSim(a, b string) float64 {
	if a == b {
		return 1
	}
	if a == "" || b == "" {
		return 0
	}
	jw := jaroWinkler(a, b)
	if jw < 0.6 {
		return jw * 0.5 // far apart: skip the edit distance
	}
	l := max(len(a), len(b))
	ratio := 1 - float64(editDistance(a, b))/float64(l)
	return (jw + ratio) / 2
}

// runeSim compares two words of a non-Latin script in their own letters.
// Chinese, Japanese and Korean names differ by one character between two
// different people (习近平 / 习近朋), so the caller makes this strict.
func runeSim(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	// map runes to bytes of a private alphabet so the byte functions apply
	alpha := map[rune]byte{}
	enc := func(rs []rune) string {
		bs := make([]byte, len(rs))
		for i, r := range rs {
			c, ok := alpha[r]
			if !ok {
				c = byte(len(alpha) + 1)
				alpha[r] = c
			}
			bs[i] = c
		}
		return string(bs)
	}
	if len(ra) > 200 || len(rb) > 200 {
		return 0
	}
	return stringSim(enc(ra), enc(rb))
}

// phoneticReplacer folds the spelling differences of transliteration
// systems: Sergey/Sergej, Mohammed/Muhammad, Qaddafi/Gaddafi, Zelenskyy/
// Selenskyj, Rouhani/Rohani, Ahmadinejad/Ahmadinezhad.
var phoneticReplacer = strings.NewReplacer(
	"shch", "s", "sch", "s", "sh", "s", "zh", "j", "kh", "h", "gh", "g", "ph", "f", "th", "t",
	"dh", "d", "ck", "k", "ts", "c", "tz", "c", "dj", "j", "dzh", "j", "ou", "u", "oo", "u",
	"ee", "i", "w", "v", "q", "k", "c", "k", "xi", "si", "xu", "su", "x", "ks", "z", "s", "y", "i", "j", "i",
)

// phonetic returns the folded spelling of a Latin form, with doubled letters
// written once.
func phonetic(w string) string {
	p := phoneticReplacer.Replace(w)
	if len(p) < 2 {
		return p
	}
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if i > 0 && p[i] == p[i-1] {
			continue
		}
		b = append(b, p[i])
	}
	return string(b)
}

// skeletonReplacer folds consonants that scripts without a Latin
// alphabet render alike: katakana has one r for r and l, b for v, fu for f;
// Arabic has b for p. j stays a consonant here (ジ, ج).
var skeletonReplacer = strings.NewReplacer(
	"shch", "s", "sch", "s", "tch", "c", "sh", "s", "ch", "c", "zh", "j", "kh", "k", "gh", "g",
	"ph", "b", "th", "t", "dh", "d", "ck", "k", "ts", "t", "tz", "t", "dj", "j", "dz", "j", "q", "k", "x", "ks",
	"w", "b", "v", "b", "f", "b", "p", "b", "z", "s", "l", "r", "c", "k",
)

// skeleton returns the consonants of a Latin form with the folds above,
// doubled letters written once. Arabic script writes no short vowels and
// katakana adds vowels English does not have (isuramu / islam), so such
// tokens meet Latin spellings through their skeletons.
func skeleton(w string) string {
	p := skeletonReplacer.Replace(w)
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'h':
			continue
		}
		if n := len(b); n > 0 && b[n-1] == c {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// syllableSkeleton is skeleton with the consonants of every syllable kept:
// a doubled letter is written once (Hassan: sn), the same consonant in two
// syllables twice (Baba: bb). Two letters that meet and fold alike are one
// consonant when mergeMet is set (World: brd, as ワールド waarudo) and two
// when not (Orlov: rrb, as オルロフ orurofu).
func syllableSkeleton(w string, mergeMet bool) string {
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if i == 0 || w[i] != w[i-1] {
			b = append(b, w[i])
		}
	}
	p := skeletonReplacer.Replace(string(b))
	b = b[:0]
	met := false // the last letter kept was a consonant, with no vowel since
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			met = false
		case 'h':
		default:
			if !(mergeMet && met && b[len(b)-1] == c) {
				b = append(b, c)
			}
			met = true
		}
	}
	return string(b)
}

// kanaSyllablesAgree reports whether a katakana reading has the consonants
// of a Latin word syllable by syllable (see syllableSkeleton), where their
// skeletons agree. Katakana says every syllable's consonant: スズラン
// suzuran has two s where SAIRAN has one, ミナト minato one n where MININT
// has two. A フ before a consonant may be an h (パフニッツ / Pahnits).
func kanaSyllablesAgree(reading, latin string) bool {
	ls := []string{syllableSkeleton(latin, false), syllableSkeleton(latin, true)}
	for i := range ls {
		ls[i] = kanaSkeleton(latin, ls[i])
	}
	kanas := []string{reading}
	for i := 0; i+2 < len(reading); i++ {
		if reading[i:i+2] == "fu" && !isVowel(reading[i+2]) {
			kanas = append(kanas, reading[:i]+"h"+reading[i+2:])
			break
		}
	}
	for _, k := range kanas {
		if slices.Contains(ls, syllableSkeleton(k, false)) {
			return true
		}
	}
	return false
}

// kanaSkeleton is the skeleton a Latin word has when written in katakana:
// a final -er, -or, -ar becomes a long vowel (Steiger → スタイガー).
func kanaSkeleton(latin, skel string) string {
	n := len(latin)
	if n > 3 && latin[n-1] == 'r' && strings.ContainsRune("aeou", rune(latin[n-2])) && strings.HasSuffix(skel, "r") {
		return skel[:len(skel)-1]
	}
	return skel
}

// kanaSkeletons are the skeletons a Latin word may have when katakana
// writes it, beside its own: a final -er, -or, -ar as a long vowel (Peter →
// ペーター, bt not btr), a ch as k (Technodinamika → テクノディナミカ).
func kanaSkeletons(latin, skel string) []string {
	var out []string
	if ks := kanaSkeleton(latin, skel); ks != skel {
		out = append(out, ks)
	}
	if k := chAsK(latin); k != latin {
		if ks := skeleton(k); ks != skel && !slices.Contains(out, ks) {
			out = append(out, ks)
		}
	}
	return out
}

// chAsK writes each ch of w as k, except in sch, tch and shch, which
// katakana writes as they sound (シ, ッチ, シチ).
func chAsK(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if strings.HasPrefix(w[i:], "ch") && (i == 0 || (w[i-1] != 's' && w[i-1] != 't' && !strings.HasSuffix(w[:i], "sh"))) {
			b.WriteByte('k')
			i++
			continue
		}
		b.WriteByte(w[i])
	}
	return b.String()
}

// kanaSkeletonVariants gives the skeleton of a katakana reading first, then
// the skeletons of the Latin spellings the same name may have instead: チ is
// how katakana writes ti, ジ di, フ an Arabic or Russian kh, and a ウ before
// a consonant may be a v (プーチン puchin / Putin, ウラジーミル urajimiru /
// Vladimir, アフンド afundo / Akhund; see vWrittenU). At most
// maxKanaSkeletons of those, the first ones kept, then at most
// maxRarerSpellings of kanaRarerSpellings. Beside each skeleton it gives the
// first spelling that has it, which the index looks up its neighbours by.
func kanaSkeletonVariants(reading string) (skels, spellings []string) {
	readings := []string{reading}
	if uBeforeConsonant(reading) {
		readings = append(readings, "v"+reading[1:])
	}
	for i := 0; i < len(reading); i++ {
		var from, to string
		for _, r := range kanaReadingSounds {
			if strings.HasPrefix(reading[i:], r[0]) {
				from, to = r[0], r[1]
				break
			}
		}
		if from == "" {
			continue
		}
		for _, v := range readings[:len(readings):len(readings)] {
			if len(readings) == maxKanaSkeletons {
				break
			}
			// v has the same length as reading up to i, or one more
			// letter when it starts with the v for u; from sits at its end
			off := i + len(v) - len(reading)
			readings = append(readings, v[:off]+to+v[off+len(from):])
		}
		i += len(from) - 1
	}
	for _, r := range readings[:len(readings):len(readings)] {
		if v, ok := slavicFinalC(r); ok && len(readings) < maxKanaSkeletons {
			readings = append(readings, v)
		}
	}
	if v, ok := koreanSyllable(reading); ok && len(readings) < maxKanaSkeletons {
		readings = append(readings, v)
	}
	// then the rarer spellings, one sound at a time, within a budget of
	// their own so that a word with many sounds above keeps them
	for _, v := range kanaRarerSpellings(reading) {
		if len(readings) == maxKanaSkeletons+maxRarerSpellings {
			break
		}
		readings = append(readings, v)
	}
	skels, spellings = make([]string, 0, len(readings)), make([]string, 0, len(readings))
	for _, r := range readings {
		if sk := skeleton(r); !slices.Contains(skels, sk) {
			skels, spellings = append(skels, sk), append(spellings, r)
		}
	}
	return skels, spellings
}

// slavicFinalC reads a final チ (chi, or tchi for ッチ) as the c that Latin
// lists write for a Serbian or Croatian -ić, -č (ミロシェヴィッチ for
// Milošević, MILOSEVIC): the reading without it and with a c, whose
// skeleton ends in k as the Latin one does.
func slavicFinalC(reading string) (string, bool) {
	for _, end := range []string{"tchi", "chi"} {
		if stem, ok := strings.CutSuffix(reading, end); ok && len(stem) > 1 {
			return stem + "c", true
		}
	}
	return "", false
}

// koreanSyllable reads a one-syllable katakana reading (consonants, vowels,
// at most a final ン) the way lists romanise a Korean family name: an
// initial チ as j, a final ン as ng (チャン / Jang, チョン / Jong, ソン /
// Song).
func koreanSyllable(reading string) (string, bool) {
	_, coda, ok := splitSyllable(reading)
	if !ok || (coda != "" && coda != "n") {
		return "", false
	}
	v := reading
	if rest, ok := strings.CutPrefix(v, "ch"); ok {
		v = "j" + rest
	}
	if coda == "n" {
		v += "g"
	}
	return v, v != reading
}

// splitSyllable splits w into its leading consonants and what follows its
// first run of vowels; ok is false when either the consonants or the vowels
// are missing.
func splitSyllable(w string) (onset, coda string, ok bool) {
	i := 0
	for i < len(w) && !isVowel(w[i]) {
		i++
	}
	j := i
	for j < len(w) && isVowel(w[j]) {
		j++
	}
	return w[:i], w[j:], i > 0 && j > i
}

// kanaReadingSounds are katakana readings that Latin spellings write
// otherwise, what kanaSkeletonVariants tries for each.
var kanaReadingSounds = [][2]string{{"chi", "ti"}, {"ji", "di"}, {"fu", "khu"}}

const maxKanaSkeletons, maxRarerSpellings = 8, 4

// kanaRarerSpellings gives the reading with one sound written as some
// lists write it, from the first sound on:
//   - an h before a vowel (ハ, ヒ, ヘ, ホ; not the h of sh or ch) as a Russian
//     or Arabic kh: ミハイロフ / Mikhaylov, オブホフ / Obukhov;
//   - フ as an h before a consonant: ソフラ / Sohra;
//   - ジ as a Russian z: クジミチ / Kuzmich; ジェ as a Russian de: レベジェフ /
//     Lebedev;
//   - a ン before b, p, m or f as an m: パンフィーロヴァ / Pamfilova;
//   - another ン that closes a syllable as a Korean ng: テソン / Taesong,
//     ヘリョン / Hoeryong (koreanSyllable also reads a one-syllable name's
//     other sounds the Korean way: チャン / Jang).
func kanaRarerSpellings(reading string) []string {
	var out []string
	with := func(i, n int, to string) {
		out = append(out, reading[:i]+to+reading[i+n:])
	}
	for i := 0; i < len(reading); i++ {
		rest := reading[i:]
		switch {
		case strings.HasPrefix(rest, "fu") && i+2 < len(reading) && !isVowel(reading[i+2]):
			with(i, 2, "h")
		case strings.HasPrefix(rest, "ji"):
			with(i, 2, "zi")
		case strings.HasPrefix(rest, "je"):
			with(i, 2, "de")
		case rest[0] == 'h' && len(rest) > 1 && isVowel(rest[1]) && rest[1] != 'u' &&
			(i == 0 || (reading[i-1] != 's' && reading[i-1] != 'c')):
			with(i, 1, "kh")
		case rest[0] == 'n' && i > 0 && isVowel(reading[i-1]) && len(rest) > 1 && strings.IndexByte("bpmf", rest[1]) >= 0:
			with(i, 1, "m")
		case rest[0] == 'n' && i > 0 && isVowel(reading[i-1]) &&
			(len(rest) == 1 || (!isVowel(rest[1]) && rest[1] != 'y' && rest[1] != 'g')):
			with(i, 1, "ng")
		}
	}
	return out
}

// voicingFold writes the first consonant of a word without its voicing
// (d → t, g → k, b → p, j → ch), for Korean and Chinese romanisations that
// differ in exactly that (Taedong / Daedong, Jon / Chon, Jang / Chang).
func voicingFold(w string) string {
	switch {
	case strings.HasPrefix(w, "ch"):
		return "C" + w[2:]
	case w == "":
		return w
	}
	switch w[0] {
	case 'j':
		return "C" + w[1:]
	case 'd':
		return "t" + w[1:]
	case 'g':
		return "k" + w[1:]
	case 'b':
		return "p" + w[1:]
	}
	return w
}

// voicingVariants are the spellings voicingFold takes as one: the word with
// its first consonant voiced or unvoiced (chon → jon, jang → chang).
func voicingVariants(w string) []string {
	switch {
	case w == "":
		return nil
	case strings.HasPrefix(w, "ch"):
		return []string{"j" + w[2:]}
	}
	switch w[0] {
	case 'j':
		return []string{"ch" + w[1:]}
	case 'd':
		return []string{"t" + w[1:]}
	case 't':
		return []string{"d" + w[1:]}
	case 'g':
		return []string{"k" + w[1:]}
	case 'k':
		return []string{"g" + w[1:]}
	case 'b':
		return []string{"p" + w[1:]}
	case 'p':
		return []string{"b" + w[1:]}
	}
	return nil
}

// voicedFirst is the first letter of voicingFold(w), without building it.
func voicedFirst(w string) byte {
	switch {
	case w == "":
		return 0
	case strings.HasPrefix(w, "ch"), w[0] == 'j':
		return 'C'
	case w[0] == 'd':
		return 't'
	case w[0] == 'g':
		return 'k'
	case w[0] == 'b':
		return 'p'
	}
	return w[0]
}

// kanaLatinSim compares the Hepburn reading of a katakana word with a Latin
// word the way a reader hears them, vowels included. Consonant skeletons
// alone let any two words with the same two or three consonants meet
// (ヤマト yamato / MIT, ヒカリ hikari / KALA, ユタカ yutaka / TCO); the vowels
// tell them apart. Both sides come folded by kanaForm (l/r, v/b, th/s ...,
// the Latin side first written as katakana would render it); kanaDistance
// aligns them.
func kanaLatinSim(kanaForm, latinForm string) float64 {
	if latinForm == "" {
		return 0
	}
	d := kanaDistance(kanaForm, latinForm)
	if vWrittenU(kanaForm, latinForm) {
		d = min(d, kanaDistance("b"+kanaForm, latinForm)) // read ウ as ヴ (folded bu)
	}
	return max(0, 1-d/float64(len(latinForm)))
}

// kanaLatinWordSim is kanaLatinSim for a Latin word as lists write it:
// where the word ends in ic and the katakana in チ, it also reads them as
// a Serbian or Croatian -ić (ミロシェヴィッチ / Milosevic, カラジッチ /
// Karadzic). The folded Latin form cannot do that itself, since English
// -ic is ック (アトランティック / Atlantic) and it writes a k there.
func kanaLatinWordSim(kanaForm, latin, latinForm string) float64 {
	v := kanaLatinSim(kanaForm, latinForm)
	k, kok := strings.CutSuffix(kanaForm, "ci")
	l, lok := strings.CutSuffix(latinForm, "k")
	if kok && lok && len(latin) > 3 && strings.HasSuffix(latin, "ic") {
		v = max(v, kanaLatinSim(k+"c", l+"c"))
	}
	if kanaForm[0] == 'c' && latinForm[0] == 'j' && koreanJSyllable(latin) {
		// katakana writes a Korean family name's initial j as チ (チャン /
		// Jang, チョン / Jong); a little less than a written j
		v = max(v, kanaLatinSim(kanaForm, "c"+latinForm[1:])*0.95)
	}
	if koreanWordCandidate(latin) {
		// one Latin word of two or three Korean syllables (Kangbong,
		// Chongbong, Ponghwa), read syllable by syllable as katakana does
		// (カンボン, チョンボン, ポンファ)
		for _, segs := range koreanSegmentations(latin) {
			if korean, ok := koreanSpoken(segs...); ok {
				v = max(v, kanaLatinSim(kanaForm, kanaFold(korean))*0.95)
			}
		}
	}
	if mayBeSpokenOtherwise(latin) {
		korean, ok := koreanSpoken(latin)
		if !ok {
			return v
		}
		// ファン / Hwang, ペ / Pae, チェ / Choe: a Korean syllable as spoken
		v = max(v, kanaLatinSim(kanaForm, kanaFold(korean))*0.95)
	}
	return v
}

// mayBeSpokenOtherwise reports whether koreanSpoken may change a single
// Latin word other than at a final ng (which kanaDistance reads as ン
// already): the test costs no allocation on the many words it leaves.
func mayBeSpokenOtherwise(w string) bool {
	if len(w) > 6 {
		return false
	}
	return strings.HasPrefix(w, "hw") || strings.Contains(w, "ae") || strings.Contains(w, "oe") ||
		strings.Contains(w, "eo") || strings.Contains(w, "eu")
}

// koreanJSyllable reports a Latin word that is one Korean syllable with an
// initial j, as lists romanise Korean family names (Jang, Jo, Jong, Jung),
// not English or other words that start with j (Jack, Jeez).
func koreanJSyllable(latin string) bool {
	onset, coda, ok := splitSyllable(latin)
	if !ok || onset != "j" || len(latin) > 5 {
		return false
	}
	switch coda {
	case "", "n", "ng", "m", "l":
		return true
	}
	return false
}

// vWrittenU reports a folded kana reading that starts with u and a consonant
// where the folded Latin word starts with b (a v or b) and a consonant:
// katakana writes a Russian v before a consonant as ウ (ウラジーミル for
// Vladimir, ウラジスラフ for Vladislav), where ヴ would be read vu.
func vWrittenU(kanaForm, latinForm string) bool {
	return uBeforeConsonant(kanaForm) && len(latinForm) > 1 && latinForm[0] == 'b' && !isVowel(latinForm[1])
}

// uBeforeConsonant reports a kana reading that starts with a ウ before a
// consonant, which may stand for a v (see vWrittenU).
func uBeforeConsonant(reading string) bool {
	return len(reading) > 1 && reading[0] == 'u' && !isVowel(reading[1])
}

// kanaForm is what kanaLatinSim compares: the folded reading of a kana or
// Han token, the folded katakana-like spelling of a Latin one.
func kanaForm(t Token) string {
	switch t.Script {
	case ScriptKana, ScriptHan:
		return kanaFold(t.Latin)
	case ScriptLatin:
		return kanaFold(kanaLatin(t.Latin))
	}
	return ""
}

// Costs of kanaDistance's edits.
const (
	kanaCostAdded  = 0.15 // a vowel Japanese adds to close a syllable (isuramu / islam)
	kanaCostGlide  = 0.3  // the y of kyu, ryu, which English writes as u (キューブ / cube)
	kanaCostSilent = 0.3  // a Latin h or r katakana does not write (Ehsan / イーサン)
	kanaCostVowel  = 0.5  // one vowel for another
)

// kanaDistance is an edit distance from a folded kana reading k to a folded
// Latin spelling l in which dropping a vowel that katakana adds after a
// consonant costs little and any other difference costs one.
func kanaDistance(k, l string) float64 {
	var buf [2][32]float64
	prev, cur := buf[0][:], buf[1][:]
	if len(l)+1 > len(prev) {
		prev, cur = make([]float64, len(l)+1), make([]float64, len(l)+1)
	}
	prev[0] = 0
	for j := 1; j <= len(l); j++ {
		prev[j] = prev[j-1] + kanaInsertCost(l, j-1)
	}
	for i := 1; i <= len(k); i++ {
		del := kanaDeleteCost(k, i-1)
		cur[0] = prev[0] + del
		for j := 1; j <= len(l); j++ {
			cur[j] = min(prev[j-1]+kanaSubstituteCost(k, i-1, l[j-1]), prev[j]+del, cur[j-1]+kanaInsertCost(l, j-1))
		}
		prev, cur = cur, prev
	}
	return prev[len(l)]
}

// kanaVowelsDiffer reports a folded kana reading k and Latin spelling l whose
// cheapest alignment reads at least two of the Latin word's vowels, and at
// least two thirds of them, as other vowels: コスモ kosumo / Kassouma, イズミ
// izumi / Asama, 木村 kimura / Camorra. Their consonant skeletons agree, but
// a reader hears different words. Katakana adds vowels where a Latin word has
// none (リヴォフ / Lvov) and lengthens them (ユナイテッド / United); it rarely
// replaces most of them.
func kanaVowelsDiffer(k, l string) bool {
	const max = 32
	if len(k) >= max || len(l) >= max {
		return false
	}
	var d [max][max]float64
	for j := 1; j <= len(l); j++ {
		d[0][j] = d[0][j-1] + kanaInsertCost(l, j-1)
	}
	for i := 1; i <= len(k); i++ {
		d[i][0] = d[i-1][0] + kanaDeleteCost(k, i-1)
		for j := 1; j <= len(l); j++ {
			d[i][j] = min(d[i-1][j-1]+kanaSubstituteCost(k, i-1, l[j-1]), d[i-1][j]+kanaDeleteCost(k, i-1), d[i][j-1]+kanaInsertCost(l, j-1))
		}
	}
	vowels := 0
	for j := 0; j < len(l); j++ {
		if isVowel(l[j]) {
			vowels++
		}
	}
	subs := 0
	for i, j := len(k), len(l); i > 0 && j > 0; {
		switch c := kanaSubstituteCost(k, i-1, l[j-1]); {
		case d[i][j] == d[i-1][j-1]+c:
			if c == kanaCostVowel {
				subs++
			}
			i, j = i-1, j-1
		case d[i][j] == d[i-1][j]+kanaDeleteCost(k, i-1):
			i--
		default:
			j--
		}
	}
	return subs >= 2 && 3*subs >= 2*vowels
}

// kanaSubstituteCost is the cost of reading k[i] where the Latin side has c.
// チ (chi, folded ci) is also how katakana writes ti (ロパチン / Lopatin).
func kanaSubstituteCost(k string, i int, c byte) float64 {
	switch kc := k[i]; {
	case kc == c:
		return 0
	case kc == 'c' && c == 't' && i+1 < len(k) && k[i+1] == 'i':
		return 0
	case kc == 'j' && c == 'd' && i+1 < len(k) && k[i+1] == 'i': // ジ for di (ウラジーミル / Vladimir, ラジオ / radio)
		return 0
	case kc == 'f' && c == 'h' && i+1 < len(k) && k[i+1] == 'u': // フ is hu too, and an Arabic kh (アフンド / Akhund)
		return 0
	case isVowel(kc) && isVowel(c):
		return kanaCostVowel
	}
	return 1
}

// kanaDeleteCost is the cost of leaving out k[i], a letter the Latin side lacks.
func kanaDeleteCost(k string, i int) float64 {
	if i == 0 {
		return 1
	}
	p, c := k[i-1], k[i]
	switch {
	case c == 'y' && !isVowel(p) && i+1 < len(k) && isVowel(k[i+1]):
		return kanaCostGlide
	case c == 'u' && i+1 < len(k) && k[i+1] == 'y' && !isVowel(p): // フョ written fuyo
		return kanaCostAdded
	case !closesSyllable(k, i+1):
		return 1
	case c == 'u' && strings.IndexByte("bfgkmprsvzjc", p) >= 0, // c: chu, shu after the folds
		c == 'i' && p == 'c', // チ for a ch that no vowel follows (Milosevich ミロシェヴィッチ)
		c == 'o' && (p == 't' || p == 'd'):
		return kanaCostAdded
	}
	return 1
}

// kanaInsertCost is the cost of a Latin letter l[j] the kana side lacks:
// an h, or an r after a vowel that closes its syllable, is not written in
// katakana (Ehsan → イーサン, Steiger → スタイガー, World → ワールド).
func kanaInsertCost(l string, j int) float64 {
	switch {
	case l[j] == 'h':
		return kanaCostSilent
	case l[j] == 'r' && j > 0 && isVowel(l[j-1]) && closesSyllable(l, j+1):
		return kanaCostSilent
	case l[j] == 'g' && j > 0 && l[j-1] == 'n' && (j+1 == len(l) || !isVowel(l[j+1]) && l[j+1] != 'y'):
		// the g of a final ng, which katakana writes as ン alone in Korean and
		// Chinese names (ソン / Song, チャン / Zhang, ホンコン / Hong Kong)
		return kanaCostSilent
	}
	return 1
}

// kanaFoldReplacer merges what katakana writes alike. Both sides go through
// it, so it only needs to be consistent.
var kanaFoldReplacer = strings.NewReplacer(
	"shch", "s", "sch", "s", "sh", "s", "tch", "c", "ch", "c", "zh", "j", "ts", "t", "tz", "t",
	"ph", "f", "th", "s", "kh", "h", "ck", "k", "qu", "kw", "q", "k", "x", "ks", "dj", "j", "dz", "j",
	"l", "r", "v", "b", "w", "u", "z", "s", "ee", "i", "oo", "u", "ou", "u",
)

// kanaFold merges sounds and drops doubled letters (small ッ doubles, English
// spelling doubles).
func kanaFold(w string) string {
	p := kanaFoldReplacer.Replace(w)
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if n := len(b); n > 0 && b[n-1] == p[i] {
			continue
		}
		b = append(b, p[i])
	}
	return string(b)
}

// kanaLatin writes the sounds of an English or transliterated spelling that
// katakana renders differently: a silent final e dropped (Cube → キューブ), a
// final v as f (Avdeev → アヴデエフ), y as i where no vowel follows or a
// vowel comes before (Malyshev → マルィシェフ, Sayed → サイード), c as s
// before e, i and y (Celestial → セレスティアル) and k elsewhere.
func kanaLatin(w string) string {
	n := len(w)
	switch {
	case n > 3 && w[n-1] == 'e' && !isVowel(w[n-2]) && w[n-2] != 'y':
		w = w[:n-1]
	case n > 3 && w[n-1] == 'v':
		w = w[:n-1] + "f"
	}
	b := []byte(w)
	for i, c := range b {
		next := byte(0)
		if i+1 < len(b) {
			next = b[i+1]
		}
		switch {
		case c == 'y' && i > 0 && (!isVowel(next) || isVowel(b[i-1])):
			b[i] = 'i'
		case c != 'c' || next == 'h': // ch is left to kanaFold
		case next == 'e' || next == 'i' || next == 'y':
			b[i] = 's'
		default: // Moscow モスクワ, Cola コーラ
			b[i] = 'k'
		}
	}
	return string(b)
}

// closesSyllable reports whether w[j:] starts with a consonant that opens a
// new syllable, or is empty: then the vowel before j ends an open syllable
// that may have been added. An n that no vowel follows is ン.
func closesSyllable(w string, j int) bool {
	if j >= len(w) {
		return true
	}
	c := w[j]
	if isVowel(c) || c == 'y' {
		return false
	}
	if c == 'n' && (j+1 >= len(w) || !(isVowel(w[j+1]) || w[j+1] == 'y')) {
		return false
	}
	return true
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// kanaLatinComparable reports whether a katakana (or Han) reading and a
// Latin word may be the same name at all: the Latin word has a vowel (one
// without is an acronym, which katakana would spell out letter by letter,
// エム・アイ・ティー) and both start with the same sound. Random words share
// a two- or three-consonant skeleton often; they rarely also share the
// first sound. kanaForm and latinForm are the tokens' kanaForm.
func kanaLatinComparable(kanaForm, latin, latinForm string) bool {
	if !strings.ContainsAny(latin, "aeiouy") || kanaForm == "" || latinForm == "" {
		return false
	}
	k := kanaForm[0]
	if firstSound(kanaForm) == firstSound(latinForm) {
		return true
	}
	switch {
	case strings.HasPrefix(latin, "th"): // Smith スミス, Thomas トーマス
		return k == 't' || k == 's'
	case strings.HasPrefix(latin, "kh"): // Khalsa カルサ, Khromov フロモフ
		return k == 'k' || k == 'h' || k == 'f'
	case latin[0] == 'g': // George ジョージ
		return k == 'j'
	case latin[0] == 'j': // Korean Jang チャン (see kanaLatinWordSim)
		return k == 'c' && koreanJSyllable(latin)
	case latin[0] == 'v' && len(latin) > 1 && !isVowel(latin[1]): // Vladlena ウラドレーナ, Vtorygina フトルィギナ
		return k == 'u' || k == 'f' || k == 'h'
	}
	return false
}

// firstSound classes the start of a folded word: vowels (and y, and the u
// that w folds to) are one sound, voiced and unvoiced consonants are one as
// voicedFirst takes them (Korean and Chinese romanisations differ in
// exactly that: トンバン / Dongbang), c is the ch it was folded from, and h is f
// (フ is written fu).
func firstSound(w string) byte {
	switch w[0] {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return 'a'
	case 'f':
		return 'h'
	case 'c':
		return voicedFirst("ch")
	}
	return voicedFirst(w)
}

// foldedFirstSound is firstSound(kanaFold(w)) without folding the whole
// word: appendJoined asks it for many pairings, and the fold allocates.
func foldedFirstSound(w string) byte {
	if w == "" {
		return 0
	}
	for _, p := range [...]struct {
		prefix string
		sound  byte
	}{
		{"sch", 's'}, {"sh", 's'}, {"th", 's'}, {"tch", 'C'}, {"ch", 'C'}, {"zh", 'C'}, {"dj", 'C'}, {"dz", 'C'},
		{"ts", 't'}, {"tz", 't'}, {"ph", 'h'}, {"kh", 'h'}, {"ck", 'k'},
	} {
		if strings.HasPrefix(w, p.prefix) {
			return p.sound
		}
	}
	switch w[0] {
	case 'l':
		return 'r'
	case 'v':
		return 'p'
	case 'w':
		return 'a'
	case 'z':
		return 's'
	case 'q', 'x':
		return 'k'
	}
	return firstSound(w)
}

// koreanWordCandidate reports a Latin word that may be two or three Korean
// syllables written together with a sound katakana writes otherwise inside
// it (an ng before another syllable, an hw): the cheap test before
// koreanSegmentations.
func koreanWordCandidate(w string) bool {
	if len(w) < 5 || len(w) > 14 {
		return false
	}
	i := strings.Index(w, "ng")
	return (i > 0 && i < len(w)-2) || strings.Contains(w[1:], "hw")
}

// koreanOnsets are the initial consonants of Korean syllables as the
// McCune-Reischauer and Revised romanisations write them (a y or w glide may
// follow), and the f of a katakana reading (ファ for hwa).
var koreanOnsets = map[string]bool{
	"": true, "k": true, "kk": true, "kh": true, "g": true, "n": true, "d": true, "t": true, "tt": true,
	"th": true, "r": true, "l": true, "m": true, "b": true, "p": true, "pp": true, "ph": true, "s": true,
	"ss": true, "sh": true, "j": true, "jj": true, "ch": true, "h": true, "f": true,
}

// koreanSegmentations splits a Latin word into two or three Korean syllables
// in every way the syllable shapes allow (kangbong: kang bong; kangil: kang
// il and kan gil), at most four ways.
func koreanSegmentations(w string) [][]string {
	var out [][]string
	var walk func(rest string, segs []string)
	walk = func(rest string, segs []string) {
		if len(out) == 4 || len(segs) > 3 {
			return
		}
		if rest == "" {
			if len(segs) >= 2 {
				out = append(out, slices.Clone(segs))
			}
			return
		}
		for n := 1; n <= min(len(rest), 7); n++ {
			if koreanSyllableShape(rest[:n]) {
				walk(rest[n:], append(segs, rest[:n]))
			}
		}
	}
	walk(w, nil)
	return out
}

// koreanSyllableShape reports whether w is one Korean syllable as lists
// romanise it (splitKoreanSyllable).
func koreanSyllableShape(w string) bool {
	_, _, _, ok := splitKoreanSyllable(w)
	return ok
}

// splitKoreanSyllable splits one Korean syllable as lists romanise it into
// an onset of koreanOnsets (with a y or w glide after it), one or two vowels
// and a final consonant or none; ok is false for any other shape.
func splitKoreanSyllable(w string) (onset, vowel, coda string, ok bool) {
	i := 0
	for i < len(w) && !isVowel(w[i]) {
		i++
	}
	onset = w[:i]
	base := onset
	if n := len(base); n > 0 && (base[n-1] == 'y' || base[n-1] == 'w') {
		base = base[:n-1]
	}
	if !koreanOnsets[base] {
		return "", "", "", false
	}
	j := i
	for j < len(w) && j-i < 2 && isVowel(w[j]) {
		j++
	}
	if j == i {
		return "", "", "", false
	}
	switch coda = w[j:]; coda {
	case "", "k", "n", "ng", "l", "m", "p", "t":
		return onset, w[i:j], coda, true
	}
	return "", "", "", false
}
