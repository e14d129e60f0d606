// Package country maps the country names that denied-party lists write, in
// English or Japanese, to ISO 3166-1 alpha-2 codes.
//
// Lists spell countries in many ways ("Iran (Islamic Republic of)", "Korea,
// North", "イラン", "北朝鮮"); the entry model keeps only the code, so every
// parser funnels names through Code. An unknown name yields "" and the parser
// keeps the raw text in the entry's attributes instead of guessing.
package country

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// index holds the lookup keys built from table once; it is read-only after init.
type index struct {
	alpha2   map[string]bool
	alpha3   map[string]string
	english  map[string]string
	japanese map[string]string
	// jaByLength lists Japanese keys longest first, for prefix matching.
	jaByLength []string
	// conflicts records names that two table lines claim; the tests keep it empty.
	conflicts []string
}

var idx = buildIndex()

func buildIndex() *index {
	x := &index{
		alpha2:   map[string]bool{},
		alpha3:   map[string]string{},
		english:  map[string]string{},
		japanese: map[string]string{},
	}
	for _, line := range strings.Split(table, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 4 {
			panic("country: bad table line " + line)
		}
		code, a3 := f[0], f[1]
		x.alpha2[code] = true
		x.alpha3[a3] = code
		for _, n := range strings.Split(f[2], ";") {
			x.put(x.english, englishKey(n), code)
			if a, b, ok := strings.Cut(n, ", "); ok {
				// "Korea, Republic of" is also written "Republic of Korea".
				x.put(x.english, englishKey(b+" "+a), code)
			}
		}
		for _, n := range strings.Split(f[3], ";") {
			k := japaneseKey(n)
			if _, dup := x.japanese[k]; !dup {
				x.jaByLength = append(x.jaByLength, k)
			}
			x.put(x.japanese, k, code)
		}
	}
	// Longest first so that インドネシア wins over インド.
	sortByLengthDesc(x.jaByLength)
	return x
}

func (x *index) put(m map[string]string, key, code string) {
	if prev, ok := m[key]; ok && prev != code {
		x.conflicts = append(x.conflicts, key+": "+prev+" vs "+code)
		return
	}
	m[key] = code
}

func sortByLengthDesc(s []string) {
	// Insertion sort keeps the package free of a sort import for ~400 keys
	// built once; stable so equal lengths keep table order.
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && len([]rune(s[j])) > len([]rune(s[j-1])); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Code returns the alpha-2 code for a country name in English or Japanese, or
// for an alpha-2 / alpha-3 code. It returns "" when the name is not known.
func Code(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if len(name) == 2 && isUpperASCII(name) && idx.alpha2[name] {
		return name
	}
	if len(name) == 3 && isUpperASCII(name) {
		if c, ok := idx.alpha3[name]; ok {
			return c
		}
	}
	if c, ok := idx.english[englishKey(name)]; ok {
		return c
	}
	if a, b, ok := strings.Cut(name, ", "); ok {
		// "Bahamas, The" and "Macedonia, The Former Yugoslav Republic of".
		if c, ok := idx.english[englishKey(b+" "+a)]; ok {
			return c
		}
	}
	if c, ok := idx.japanese[japaneseKey(name)]; ok {
		return c
	}
	return ""
}

// Known reports whether code is an ISO alpha-2 code in the table.
func Known(code string) bool { return idx.alpha2[code] }

// JapanesePrefix finds the longest Japanese country name at the start of s
// ("北朝鮮平壌特別市" → "KP") and returns its code, or "" when none matches.
func JapanesePrefix(s string) string {
	k := japaneseKey(s)
	for _, name := range idx.jaByLength {
		if strings.HasPrefix(k, name) {
			return idx.japanese[name]
		}
	}
	return ""
}

// AddressTail returns the code of the country named by the last comma-separated
// part of an address ("..., Moscow, 107016, Russian Federation" → "RU"), or "".
func AddressTail(address string) string {
	address = strings.TrimRight(strings.TrimSpace(address), ".")
	i := strings.LastIndexAny(address, ",，、")
	tail := address
	if i >= 0 {
		tail = address[i:]
		_, size := firstRune(tail)
		tail = tail[size:]
	}
	return Code(tail)
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

var stripMarks = runes.Remove(runes.In(unicode.Mn))

// englishKey folds case, accents and punctuation: "Côte d'Ivoire" and
// "COTE D IVOIRE" give the same key; a leading "the" is dropped.
func englishKey(s string) string {
	t, _, err := transform.String(transform.Chain(norm.NFKD, stripMarks), s)
	if err != nil {
		t = s
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(t) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		if r == '\'' || r == '’' || r == '.' {
			continue // "People's" = "Peoples", "U.S.A." = "USA"
		}
		space = true
	}
	return strings.TrimPrefix(b.String(), "the ")
}

// japaneseKey applies NFKC and drops spaces and middle dots, which Japanese
// lists use inconsistently inside country names.
func japaneseKey(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '・' || r == '･' {
			return -1
		}
		return r
	}, s)
}
