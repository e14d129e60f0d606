// Package brackets reads the other names that a listed name carries in
// brackets. Lists write "Sergei (Sergey) Petrov", "Aleksandr(Alexander/
// Oleksandr) KOFMAN", "Korea Mining Development Trading Corporation (KOMID)",
// "Arefullah Aref (formerly listed as)" or "ミキータ（ニキータ）・サモイレンコ" as
// one name. A matcher that takes such a string whole sees a name of several
// words of which a customer's two cover only part, so "Sergey Zdryliuk"
// scored 0.70 against "Sergey(Sergei/Serhiy/Serhii) ZDRILIUK(ZDRILYUK/
// ZDRYLIUK/ZDRYLYUK)" and missed its own listed spelling.
package brackets

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/hikiai/hikiai/screening/names"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
)

// Spelling is one name read out of a listed name.
type Spelling struct {
	Value string
	// Short marks a short name given in brackets ("KOMID", "Kach"): a name of
	// its own, but one that unrelated firms may share, so it is weak alone.
	Short bool
}

const (
	maxRunes = 400 // longer names are left as they are
	// maxGroups bounds the bracket groups read in one name.
	maxGroups = 8
	// maxSpellings bounds the combinations of word alternates: "Sergey
	// (Sergei/Serhiy/Serhii) ZDRILIUK (ZDRILYUK/ZDRYLIUK/ZDRYLYUK)" has 16.
	// Beyond it each alternate is used alone, the others as written.
	maxSpellings = 16
	// minShortLetters: a bracketed short name of fewer letters ("MIT",
	// "NGO", "LJ") would meet too many ordinary firms; the full name
	// stays listed.
	minShortLetters = 4
	maxDepth        = 2 // brackets inside brackets, read once more
)

// notePhrases in a bracket make it a note about the name, not a name: MOF,
// UN and METI write "(formerly listed as)", "(nom de guerre)", "（戦闘員名）".
var notePhrases = []string{
	"listed as", "nom de guerre", "combat name", "sub-unit name", "including",
	"individual", "entity", // the CSL's "(Russian individual)", "(Chinese entity)"
	"以前掲載", "以前のリスト", "戦闘員名", "イニシャル", "自称", "を含む",
}

// noteWords are whole bracket contents that are notes, not names.
var noteWords = map[string]bool{
	"third": true, "jr": true, "jr.": true, "sr": true, "sr.": true, "deceased": true,
	"ngo": true, "general": true, "sheikh": true, "colonel": true,
}

// labels open a bracket that gives a former or other name: "（旧称：ノセンコ）".
var labels = []string{"旧称", "別名", "別称", "通称", "a.k.a.", "aka", "f.k.a.", "fka", "formerly"}

type kind int

const (
	drop       kind = iota // a note, a title or a place: the name is read without it
	alternates             // other spellings of the word just before it
	alias                  // a name of its own; the name is also read without it
	unwrapped              // words that open the name: read without the brackets
)

// group is one top-level bracket group and the text before it.
type group struct {
	before string // the text between the previous group (or the start) and this one
	inside string
	kind   kind
	items  []string // alternates, or the names an alias group gives
	word   string   // for alternates: the word of before that they replace
}

// Spell returns the names that name holds besides itself: the name without
// its notes and bracketed short forms, every combination of the word
// alternates it gives, and the names its trailing brackets give on their own.
// person says whether the entry is a person, whose single-word brackets are
// other spellings of the word before them ("Oleh (Oleg) MORHUN"); for firms a
// trailing bracket is a name of its own ("Russian Agricultural Bank
// (Rosselkhozbank)"). It returns nil when name has no brackets, when its
// brackets do not pair, or when it is longer than it is worth reading.
func Spell(name string, person bool) []Spelling {
	return spell(name, person, 0)
}

func spell(name string, person bool, depth int) []Spelling {
	if depth > maxDepth || !strings.ContainsAny(name, "()（）") || len([]rune(name)) > maxRunes {
		return nil
	}
	groups, tail, ok := split(name)
	if !ok || len(groups) == 0 || len(groups) > maxGroups {
		return nil
	}
	for i := range groups {
		classify(&groups[i], groups, i, tail, person)
	}

	out := newSet(name)
	base := render(groups, tail, nil)
	out.add(Spelling{Value: base})
	for _, v := range combinations(groups, tail) {
		out.add(Spelling{Value: v})
	}
	for i := range groups {
		if groups[i].kind != alias {
			continue
		}
		for _, item := range groups[i].items {
			if inner := spell(item, person, depth+1); inner != nil {
				// "イスラム集団（IG）" inside a bracket: its own reading.
				for _, s := range inner {
					out.add(s)
				}
				continue
			}
			if s, ok := aliasSpelling(item, person); ok {
				out.add(s)
			}
		}
	}
	return out.list
}

// split cuts name into its top-level bracket groups and the text after the
// last one. Brackets that do not pair make it give up: such a name is left
// as the list writes it.
func split(name string) (groups []group, tail string, ok bool) {
	var b strings.Builder
	var before string
	depth := 0
	for _, r := range name {
		switch {
		case listkit.IsOpen(r):
			if depth == 0 {
				before = b.String()
				b.Reset()
			} else {
				b.WriteRune(r)
			}
			depth++
		case listkit.IsClose(r):
			if depth == 0 {
				return nil, "", false
			}
			depth--
			if depth == 0 {
				groups = append(groups, group{before: before, inside: b.String()})
				b.Reset()
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	if depth != 0 {
		return nil, "", false
	}
	return groups, b.String(), true
}

// classify decides what group i of groups is.
func classify(g *group, groups []group, i int, tail string, person bool) {
	inside := listkit.Clean(norm.NFKC.String(g.inside))
	g.kind = drop
	if isNote(inside) || !hasLetter(inside) || country.Code(inside) != "" || isPlace(inside) || !naming(g.inside) {
		return
	}
	inside = stripLabel(inside)
	word := lastWord(g.before)
	trailing := !hasLetter(tail)
	for _, later := range groups[i+1:] {
		trailing = trailing && !hasLetter(later.before)
	}
	leading := true
	for _, earlier := range groups[:i+1] {
		leading = leading && !hasLetter(earlier.before)
	}

	if word != "" {
		if items := wordAlternates(inside, word); items != nil {
			// A person's bracket after a word spells that word again. A firm's
			// does when it sits inside the name with no space before it
			// ("Luhansk(Lugansk) Economic Union") or gives a lower-case word
			// ("battalion of Shahids (martyrs)"); otherwise a trailing one is
			// the firm's other name ("VEB.RF（Vnesheconombank）").
			// Han and kana write a firm's name without spaces, so there the
			// "word" before a bracket is the whole name: "鼐实鑫电子(深圳)有限公司".
			glued := !strings.HasSuffix(g.before, " ")
			lower := len(items) == 1 && startsLower(items[0])
			spaced := !listkit.HasCJK(word)
			if person || (spaced && (lower || (glued && !trailing))) {
				g.kind, g.items, g.word = alternates, items, word
				return
			}
		}
	}
	switch {
	case trailing && !leading:
		g.kind, g.items = alias, aliasItems(inside)
	case leading && !trailing:
		// "(SEAN) NAGHIBI": the given name in brackets; without it only the
		// surname would be left.
		g.kind = unwrapped
	}
}

// wordAlternates returns the spellings a bracket gives for word: single
// words in word's script, separated by commas, slashes or 、.
func wordAlternates(inside, word string) []string {
	script := listkit.Script(word)
	if script == "" {
		return nil
	}
	var items []string
	for _, f := range strings.FieldsFunc(inside, func(r rune) bool { return strings.ContainsRune(",/、;；", r) }) {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.ContainsFunc(f, isWordSeparator) || listkit.Script(f) != script || noteWords[strings.ToLower(f)] {
			return nil
		}
		items = append(items, f)
	}
	if len(items) == 0 || len(items) > maxSpellings {
		return nil
	}
	return items
}

// aliasItems splits a trailing bracket into the names it gives, at
// semicolons and 、 outside inner brackets ("(Hassan Ghul; Hassan Gul)").
func aliasItems(inside string) []string {
	var items []string
	for _, s := range listkit.SplitTopLevel(inside, ";；、") {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
		}
	}
	return items
}

// aliasSpelling turns one name from a trailing bracket into a spelling, or
// refuses it: a country, a note, or a short form of too few letters.
func aliasSpelling(item string, person bool) (Spelling, bool) {
	item = trimSeparators(item)
	if item == "" || isNote(item) || country.Code(item) != "" || !naming(item) {
		return Spelling{}, false
	}
	words := strings.Fields(item)
	letters, least := countLetters(words[0]), minShortLetters
	if listkit.HasCJK(words[0]) {
		least = 2 // "金铁三" is a whole name
	}
	capitals := listkit.HasLatin(item) && !hasLower(item)
	short := !person && ((len(words) <= 2 && capitals) || (len(words) == 1 && len([]rune(item)) < 6))
	if (short || len(words) == 1) && letters < least {
		return Spelling{}, false
	}
	return Spelling{Value: item, Short: short}, true
}

// combinations renders name once for each choice of word alternates, the
// first choice (every word as written) excepted: that is the base.
func combinations(groups []group, tail string) []string {
	var slots []int
	total := 1
	for i, g := range groups {
		if g.kind == alternates {
			slots = append(slots, i)
			total *= len(g.items) + 1
			if total > maxSpellings {
				total = maxSpellings + 1
			}
		}
	}
	if len(slots) == 0 {
		return nil
	}
	var out []string
	choice := make([]int, len(groups)) // 0 keeps the word; k uses items[k-1]
	if total <= maxSpellings {
		for {
			j := 0
			for ; j < len(slots); j++ {
				s := slots[j]
				if choice[s] < len(groups[s].items) {
					choice[s]++
					break
				}
				choice[s] = 0
			}
			if j == len(slots) {
				return out
			}
			out = append(out, render(groups, tail, choice))
		}
	}
	for _, s := range slots {
		for k := range groups[s].items {
			choice[s] = k + 1
			out = append(out, render(groups, tail, choice))
			if len(out) >= maxSpellings {
				return out
			}
		}
		choice[s] = 0
	}
	return out
}

// render writes the name without its brackets, with the alternates chosen
// (nil: every word as written).
func render(groups []group, tail string, choice []int) string {
	var b strings.Builder
	for i, g := range groups {
		before := g.before
		if g.kind == alternates && choice != nil && choice[i] > 0 {
			trimmed := strings.TrimRightFunc(before, unicode.IsSpace)
			before = strings.TrimSuffix(trimmed, g.word) + g.items[choice[i]-1] + before[len(trimmed):]
		}
		b.WriteString(before)
		switch g.kind {
		case unwrapped:
			b.WriteString(g.inside)
			b.WriteByte(' ')
		case drop, alias:
			b.WriteByte(' ') // "リーダー（ホン・コン）インターナショナル": keep the words apart
		}
	}
	b.WriteString(tail)
	return tidy(b.String())
}

// tidy collapses the spaces left where brackets were and the separators left
// at the ends: "Research , DAE" → "Research, DAE".
func tidy(s string) string {
	s = listkit.Clean(s)
	for _, p := range []string{" ,", " ，", " 、", " .", " ;"} {
		s = strings.ReplaceAll(s, p, p[1:])
	}
	return trimSeparators(s)
}

func trimSeparators(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",，、;；:：・･·-", r)
	})
}

// lastWord is the word that before ends with (spaces after it allowed), or
// "" when it ends with a separator or holds no letter.
func lastWord(before string) string {
	s := strings.TrimRightFunc(before, unicode.IsSpace)
	w := s
	if i := strings.LastIndexFunc(s, isWordSeparator); i >= 0 {
		_, size := utf8.DecodeRuneInString(s[i:])
		w = s[i+size:]
	}
	if !hasLetter(w) {
		return ""
	}
	return w
}

func isWordSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("・･·、,，“”\"‘「」", r)
}

// stripLabel removes a label and its colon or space from the start of s:
// "旧称：ノセンコ" → "ノセンコ"; "Akatsuki" keeps its "aka".
func stripLabel(s string) string {
	for _, l := range labels {
		if len(s) <= len(l) || !strings.EqualFold(s[:len(l)], l) || !strings.ContainsRune(" :：", []rune(s[len(l):])[0]) {
			continue
		}
		if rest := strings.TrimLeft(s[len(l):], " :："); rest != "" {
			return rest
		}
	}
	return s
}

// isPlace reports a Han place name: "大安親善ガラス工場(平安南道)" gives the
// province, not another name.
func isPlace(s string) bool {
	if !listkit.HasCJK(s) || strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	for _, suffix := range []string{"道", "省", "県", "市", "区", "州", "郡"} {
		if strings.HasSuffix(s, suffix) && len([]rune(s)) <= 5 {
			return true
		}
	}
	return false
}

func isNote(s string) bool {
	lower := strings.ToLower(s)
	if noteWords[strings.Trim(lower, " .")] {
		return true
	}
	for _, p := range notePhrases {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return false
}

// naming reports whether s names something, as the matcher reads it: a
// word of a name, or two generic words ("Organization for Engineering
// Industries"). "(ZAKRYTOE AKTSIONERNOE OBSHCHESTVO)", "(HOLDING)" and "(株)"
// hold only legal forms or one generic word.
func naming(s string) bool {
	generic := 0
	for _, t := range names.Normalise("(" + s + ")") {
		switch t.Class {
		case names.ClassName:
			return true
		case names.ClassGeneric:
			generic++
		}
	}
	return generic >= 2
}

func hasLetter(s string) bool { return strings.ContainsFunc(s, unicode.IsLetter) }
func hasLower(s string) bool  { return strings.ContainsFunc(s, unicode.IsLower) }

func startsLower(s string) bool {
	for _, r := range s {
		return unicode.IsLower(r)
	}
	return false
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// set collects spellings once each, leaving out the listed name itself.
type set struct {
	seen map[string]bool
	list []Spelling
}

func newSet(name string) *set {
	return &set{seen: map[string]bool{listkit.NameKey(name): true}}
}

func (s *set) add(sp Spelling) {
	sp.Value = tidy(sp.Value)
	// "【アラビア語】" is MOF's label for the script of what follows.
	if sp.Value == "" || !hasLetter(sp.Value) || strings.ContainsAny(sp.Value, "()（）【】") {
		return
	}
	k := listkit.NameKey(sp.Value)
	if s.seen[k] {
		return
	}
	s.seen[k] = true
	s.list = append(s.list, sp)
}
