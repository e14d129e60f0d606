// Package listkit holds what every list parser needs: the parse error that
// names file and position, whitespace and script handling for names, ordered
// sets for names, countries and identifiers, text decoding and date forms.
package listkit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hikiai/hikiai/screening"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// ParseError says which file, where in it and why a list was refused.
type ParseError struct {
	File     string // file name as the caller gave it ("" for a bare reader)
	Location string // "line 12", "row 7 column C", "element INDIVIDUAL at line 30"
	Reason   string
	Err      error // underlying cause, if any
}

func (e *ParseError) Error() string {
	where := e.File
	if where == "" {
		where = "input"
	}
	if e.Location != "" {
		where += " " + e.Location
	}
	if e.Err != nil {
		return fmt.Sprintf("parse %s: %s: %v", where, e.Reason, e.Err)
	}
	return fmt.Sprintf("parse %s: %s", where, e.Reason)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Errorf builds a ParseError with a formatted reason.
func Errorf(file, location, format string, args ...any) *ParseError {
	return &ParseError{File: file, Location: location, Reason: fmt.Sprintf(format, args...)}
}

// Wrap builds a ParseError around a cause.
func Wrap(file, location, reason string, err error) *ParseError {
	return &ParseError{File: file, Location: location, Reason: reason, Err: err}
}

// Line formats a 1-based line location.
func Line(n int) string { return fmt.Sprintf("line %d", n) }

// CheckContext returns ctx.Err() every 512 calls so that long loops stay
// cancellable without paying for the check on every row.
func CheckContext(ctx context.Context, i int) error {
	if i%512 == 0 {
		return ctx.Err()
	}
	return nil
}

// ReadText reads r whole and returns UTF-8 text: a byte-order mark is dropped
// and input that is not valid UTF-8 is read as Windows-1252, the code page
// older US government list files were published in.
func ReadText(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return string(b), nil
	}
	d, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return "", err
	}
	return string(d), nil
}

// Clean turns every run of white space (including the ideographic space
// U+3000 and no-break spaces that Japanese and EU files carry) into one ASCII
// space and trims the ends. It does not change letters: the list's spelling
// is kept, and matching normalises later.
func Clean(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue // bidi marks (U+202B) and other invisible format characters
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Lines splits s at line breaks and returns the cleaned, non-empty lines.
func Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n") {
		if l = Clean(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Empty reports whether a list cell means "nothing": blank, OFAC's "-0-",
// or the Japanese 不明 / なし that MOF writes for unknown values.
func Empty(s string) bool {
	switch Clean(s) {
	case "", "-0-", "不明", "なし", "該当なし", "-", "－", "―", "N/A", "n/a", "None", "none":
		return true
	}
	return false
}

// Script guesses the ISO 15924 script of a name: "Jpan" when it has kana,
// "Hani" for Han characters alone, "Kore" for Hangul, otherwise the script of
// most of its letters ("Latn", "Cyrl", "Arab", ...). It returns "" for text
// without letters.
func Script(s string) string {
	var kana, han, hangul, latin, cyr, arab, greek, hebrew, thai, other int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || r == 'ー':
			kana++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Arabic, r):
			arab++
		case unicode.Is(unicode.Greek, r):
			greek++
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Thai, r):
			thai++
		case unicode.IsLetter(r):
			other++
		}
	}
	switch {
	case kana > 0:
		return "Jpan"
	case hangul > 0:
		return "Kore"
	case han > 0:
		return "Hani"
	}
	best, name := 0, ""
	for _, c := range []struct {
		n    int
		code string
	}{{latin, "Latn"}, {cyr, "Cyrl"}, {arab, "Arab"}, {greek, "Grek"}, {hebrew, "Hebr"}, {thai, "Thai"}} {
		if c.n > best {
			best, name = c.n, c.code
		}
	}
	if name == "" && other > 0 {
		return "Zyyy"
	}
	return name
}

// HasCJK reports whether s contains kana or Han characters.
func HasCJK(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) {
			return true
		}
	}
	return false
}

// HasLatin reports whether s contains a Latin letter.
func HasLatin(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}

func rank(s screening.NameStrength) int {
	switch s {
	case screening.NamePrimary:
		return 3
	case screening.NameStrong:
		return 2
	case screening.NameWeak:
		return 1
	}
	return 0
}

// Names collects the names of one entry in list order. A name given twice
// (ignoring case and width) is kept once, with the stronger of its strengths;
// the primary name stays first.
type Names struct {
	list []screening.EntryName
	seen map[string]int
}

// Add appends a name with its script guessed; blank values are ignored.
func (n *Names) Add(value string, strength screening.NameStrength) {
	value = Clean(value)
	n.AddScript(value, strength, Script(value))
}

// AddScript appends a name whose script the list states.
func (n *Names) AddScript(value string, strength screening.NameStrength, script string) {
	value = Clean(value)
	if value == "" || Empty(value) {
		return
	}
	if n.seen == nil {
		n.seen = map[string]int{}
	}
	key := NameKey(value)
	if i, ok := n.seen[key]; ok {
		if rank(strength) > rank(n.list[i].Strength) && n.list[i].Strength != screening.NamePrimary {
			if strength == screening.NamePrimary && i != 0 {
				strength = screening.NameStrong // only the first name is primary
			}
			n.list[i].Strength = strength
		}
		return
	}
	if strength == screening.NamePrimary && len(n.list) > 0 {
		strength = screening.NameStrong
	}
	n.seen[key] = len(n.list)
	n.list = append(n.list, screening.EntryName{Value: value, Strength: strength, Script: script})
}

// NameKey is how two names of one entry are told apart: ignoring case,
// width and white space.
func NameKey(s string) string { return strings.ToLower(norm.NFKC.String(Clean(s))) }

// Len is the number of names collected.
func (n *Names) Len() int { return len(n.list) }

// List returns the names collected.
func (n *Names) List() []screening.EntryName { return n.list }

// Set is an ordered set of strings, for countries and programs.
type Set struct {
	list []string
	seen map[string]bool
}

// Add appends v unless it is blank or already present.
func (s *Set) Add(v string) {
	v = Clean(v)
	if v == "" {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if s.seen[v] {
		return
	}
	s.seen[v] = true
	s.list = append(s.list, v)
}

// List returns the members in insertion order, or nil when empty.
func (s *Set) List() []string { return s.list }

// IDs is an ordered set of identifiers.
type IDs struct {
	list []screening.Identifier
	seen map[screening.Identifier]bool
}

// Add appends an identifier unless its value is blank or it is already present.
func (d *IDs) Add(typ, value, country string) {
	id := screening.Identifier{Type: Clean(typ), Value: Clean(value), Country: country}
	if id.Value == "" || Empty(id.Value) || id.Type == "" {
		return
	}
	if d.seen == nil {
		d.seen = map[screening.Identifier]bool{}
	}
	if d.seen[id] {
		return
	}
	d.seen[id] = true
	d.list = append(d.list, id)
}

// List returns the identifiers in insertion order.
func (d *IDs) List() []screening.Identifier { return d.list }

// Attrs builds an entry's attribute map; values for the same key are joined
// with "; " and repeated values are dropped.
type Attrs map[string]string

// Add records value under key.
func (a Attrs) Add(key, value string) {
	value = Clean(value)
	if value == "" || Empty(value) {
		return
	}
	old, ok := a[key]
	if !ok {
		a[key] = value
		return
	}
	for _, p := range strings.Split(old, "; ") {
		if p == value {
			return
		}
	}
	a[key] = old + "; " + value
}

// Map returns the attributes, or nil when there are none.
func (a Attrs) Map() map[string]string {
	if len(a) == 0 {
		return nil
	}
	return a
}

// JoinAddress builds the Full text of an address from its parts.
func JoinAddress(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = Clean(p); p != "" && !Empty(p) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ", ")
}

// Validate checks the promise every parser makes: each entry has a source, a
// source id and a primary name first, names are not blank, and no two entries
// share a key. file names the input in the error.
func Validate(file string, entries []screening.Entry) error {
	seen := make(map[string]bool, len(entries))
	for i := range entries {
		e := &entries[i]
		where := fmt.Sprintf("entry %d (id %q)", i+1, e.SourceID)
		if e.Source == "" || e.SourceID == "" {
			return Errorf(file, where, "entry without source or source id")
		}
		if len(e.Names) == 0 || e.Names[0].Strength != screening.NamePrimary {
			return Errorf(file, where, "entry without a primary name")
		}
		for _, n := range e.Names {
			if strings.TrimSpace(n.Value) == "" {
				return Errorf(file, where, "entry with a blank name")
			}
		}
		if seen[e.Key()] {
			return Errorf(file, where, "duplicate entry id %q", e.SourceID)
		}
		seen[e.Key()] = true
	}
	return nil
}

// IsOpen and IsClose tell the round brackets the lists use, in both widths
// (MOF mixes the two in one pair).
func IsOpen(r rune) bool  { return r == '(' || r == '（' }
func IsClose(r rune) bool { return r == ')' || r == '）' }

// SplitTopLevel splits s at any of seps that sits outside brackets.
func SplitTopLevel(s, seps string) []string {
	var out []string
	depth, start := 0, 0
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case IsOpen(r):
			depth++
		case IsClose(r):
			if depth > 0 {
				depth--
			}
		case depth == 0 && strings.ContainsRune(seps, r):
			out = append(out, string(rs[start:i]))
			start = i + 1
		}
	}
	out = append(out, string(rs[start:]))
	return out
}
