package mof

import (
	"regexp"
	"strings"

	"github.com/hikiai/hikiai/sources/internal/listkit"
)

var (
	// enumerator matches the "(a)", "（b）", "(aa)" markers that MOF puts before
	// each item of a multi-valued cell.
	enumerator = regexp.MustCompile(`[(（]\s*[a-zａ-ｚ]{1,2}\s*[)）]\s*`)
	// originalScript matches "(original script: محمد عمر)" anywhere in a
	// name or alias (MOF sometimes writes "scipt", or puts the label last).
	originalScript     = regexp.MustCompile(`(?i)[(（]\s*original\s+scr?i?pt\s*[:：]\s*([^)）]*)[)）]?`)
	originalScriptLast = regexp.MustCompile(`(?i)[(（]\s*([^)）:：]*)[:：]\s*original\s+scr?i?pt\s*[)）]?`)
	// akaBracket finds "Name (a.k.a.: X, Y)": a name followed by its aliases.
	akaBracket = regexp.MustCompile(`(?i)\s*[(（]\s*[afn]\.k\.a\.?\s*[:：]?\s*`)
	// aliasLabel matches a label in front of a list of names: "（別称）",
	// "(別称、", "a.k.a.:", "f.k.a.".
	aliasLabel = regexp.MustCompile(`^(?:[(（]\s*)?(?:別称|旧称|別名|通称|a\.?k\.?a\.?|f\.?k\.?a\.?|n\.?k\.?a\.?)(?:\s*[)）])?\s*[、,:：]?\s*`)
	// akaSplit cuts English alias lists written "a.k.a. X; a.k.a. Y".
	akaSplit = regexp.MustCompile(`(?i)[;,]?\s*\b[afn]\.k\.a\.?\s*[:：]?\s*`)
)

// items splits a multi-valued cell into its values: at "(a)"-style
// enumerators when the cell has them, otherwise one value per line.
func items(cell string) []string {
	var out []string
	for _, line := range listkit.Lines(cell) {
		if enumerator.MatchString(line) {
			for _, p := range enumerator.Split(line, -1) {
				if p = trimItem(p); p != "" {
					out = append(out, p)
				}
			}
			continue
		}
		if p := trimItem(line); p != "" && !listkit.Empty(p) {
			out = append(out, p)
		}
	}
	return out
}

// trimItem removes the separators an enumerated item ends with.
func trimItem(s string) string {
	s = listkit.Clean(s)
	for {
		t := strings.TrimRight(s, "、,;；。 ")
		t = strings.TrimLeft(t, "、,;；。 ")
		if t == s {
			return s
		}
		s = t
	}
}

// splitEnglishName reads an 英語表記 cell: the Latin name (wrapped over
// several lines at times, or two names joined by "、"), followed optionally
// by an "(original script: ...)" line or a bracketed full name. It returns
// the Latin names, first the primary, and the other names.
func splitEnglishName(cell string) (latin, other []string) {
	var parts []string
	for _, line := range listkit.Lines(cell) {
		line, orig := extractOriginal(line)
		other = append(other, orig...)
		if loc := akaBracket.FindStringIndex(line); loc != nil && loc[0] > 0 {
			// "Vladimir Mikheychik（a.k.a. Vladimir Mikheichik）"
			other = append(other, splitAliases(line[loc[1]:])...)
			line = line[:loc[0]]
		}
		if line == "" {
			continue
		}
		if inner, ok := unwrap(line); ok && len(parts) > 0 {
			other = append(other, inner)
			continue
		}
		parts = append(parts, line)
	}
	for _, n := range listkit.SplitTopLevel(strings.Join(parts, " "), "、") {
		if n = trimItem(n); n != "" {
			latin = append(latin, n)
		}
	}
	return latin, other
}

// splitJapaneseName reads a 日本語表記 cell: one name, or several joined by
// "、" outside brackets.
func splitJapaneseName(cell string) []string {
	var out []string
	for _, line := range listkit.Lines(cell) {
		for _, n := range listkit.SplitTopLevel(line, "、") {
			if n = trimItem(n); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// splitAliases reads an alias cell. MOF writes the aliases in Japanese and
// then in English, as enumerated items ("(a)X (b)Y"), as lists separated by
// "、" or ";", with labels ("（別称）", "a.k.a."), or as "カタカナ（Latin）"
// pairs. The middle dot "・" separates the words of a katakana name and is
// never a list separator here.
func splitAliases(cell string) []string {
	var out []string
	prevCount := 0
	var lines []string
	for _, line := range listkit.Lines(cell) {
		line, orig := extractOriginal(line)
		out = append(out, orig...)
		// "Name (a.k.a.: (a)X (b)Y)" is a name and then its list.
		if loc := akaBracket.FindStringIndex(line); loc != nil && loc[0] > 0 {
			lines = append(lines, line[:loc[0]], line[loc[1]:])
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
	}
	for _, line := range lines {
		if inner, ok := unwrap(line); ok {
			line = inner
		}
		line = stripLabels(line)
		var parts []string
		switch {
		case enumerator.MatchString(line):
			parts = enumerator.Split(line, -1)
		case akaSplit.MatchString(line):
			parts = akaSplit.Split(line, -1)
		case listkit.HasCJK(line) || strings.ContainsAny(line, "；;、"):
			parts = listkit.SplitTopLevel(line, "、；;")
		default:
			parts = []string{line}
		}
		// "(Ahmed Garbaya, Sa-id, Samir Salwwan)" under a line of three
		// Japanese names is the same list in English, separated by commas
		// that otherwise belong to names ("AL-BASHIR TRADING COMPANY, LTD").
		if len(parts) == 1 && prevCount > 1 && !listkit.HasCJK(line) {
			if c := commaList(line); len(c) == prevCount {
				parts = c
			}
		}
		count := 0
		for _, p := range parts {
			for _, n := range splitPair(cleanAlias(p)) {
				n = trimItem(dropUnbalanced(cutNote(n)))
				// "the following three aliases:" introduces a list; it is no name.
				if n != "" && !listkit.Empty(n) && !strings.HasSuffix(n, ":") {
					out = append(out, n)
					count++
				}
			}
		}
		prevCount = count
	}
	return out
}

// extractOriginal removes "(original script: ...)" notes from s and returns
// the names they give; "不明" (unknown) gives none.
func extractOriginal(s string) (string, []string) {
	var found []string
	for _, re := range []*regexp.Regexp{originalScript, originalScriptLast} {
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			if v := listkit.Clean(m[1]); v != "" && !listkit.Empty(v) {
				found = append(found, v)
			}
		}
		s = re.ReplaceAllString(s, " ")
	}
	return listkit.Clean(s), found
}

// legalForms may follow a comma inside one company name.
var legalForms = map[string]bool{
	"LTD": true, "LTD.": true, "LIMITED": true, "INC": true, "INC.": true, "LLC": true,
	"CO": true, "CO.": true, "CORP": true, "CORP.": true, "S.A.": true, "SA": true,
	"JSC": true, "PLC": true, "GMBH": true, "B.V.": true, "FZE": true, "FZCO": true,
}

// commaList splits "A, B, C" at commas, keeping "X COMPANY, LTD" together.
func commaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if len(out) > 0 && legalForms[strings.ToUpper(p)] {
			out[len(out)-1] += ", " + p
			continue
		}
		out = append(out, p)
	}
	return out
}

// noteWords begin the notes that some aliases carry in brackets or after a
// comma: birth data, passports, parentage.
var noteWords = []string{"生年月日", "出生", "旅券", "国籍", "息子", "生まれ", "DOB", "POB", "passport", "Passport", "born ", "son of", "Nationality", "nationality", "Previously listed", "In Arabic", "【", "以前のリスト"}

// cutNote drops such a note: "Sayf-Al Adl (DOB: 11 Apr. 1963 ...)" becomes
// "Sayf-Al Adl". The cut falls at the last bracket or comma before the note
// word, or at the word itself.
func cutNote(s string) string {
	at := -1
	for _, w := range noteWords {
		if i := strings.Index(s, w); i > 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return s
	}
	head := s[:at]
	if j := strings.LastIndexAny(head, "(（,、"); j > 0 {
		head = head[:j]
	}
	if head = trimItem(head); head == "" {
		return s
	}
	return head
}

func stripLabels(s string) string {
	for {
		t := strings.TrimSpace(aliasLabel.ReplaceAllString(s, ""))
		if t == s {
			return s
		}
		s = t
	}
}

// cleanAlias trims separators, quotes, labels and enclosing brackets.
func cleanAlias(s string) string {
	s = stripLabels(trimItem(s))
	s = strings.Trim(s, "\"“”'‘’「」 ")
	if inner, ok := unwrap(s); ok {
		s = inner
	}
	return trimItem(s)
}

// splitPair splits "フランク・カコレレ（FRANK KAKORERE）" into its Japanese
// and Latin forms. Text after the Latin form ("（1948年12月16日生まれ）") is
// a note and is dropped. Other names are returned as they are.
func splitPair(s string) []string {
	rs := []rune(s)
	for i, r := range rs {
		if !listkit.IsOpen(r) || i == 0 {
			continue
		}
		head := strings.TrimSpace(string(rs[:i]))
		if !listkit.HasCJK(head) || listkit.HasLatin(head) {
			return []string{s}
		}
		tail := balanced(rs[i:])
		// "Samuel Peter Mudde（1948年12月16日...）": the Latin name ends where
		// a bracketed Japanese note begins.
		if j := strings.IndexAny(tail, "(（"); j > 0 && listkit.HasCJK(tail[j:]) {
			tail = tail[:j]
		}
		tail = strings.TrimSpace(tail)
		if !listkit.HasLatin(tail) || listkit.HasCJK(tail) {
			return []string{s}
		}
		return []string{head, tail}
	}
	return []string{s}
}

// balanced returns the text inside the bracket that rs starts with, up to
// its partner (or the end when the partner is missing).
func balanced(rs []rune) string {
	depth := 0
	for i, r := range rs {
		switch {
		case listkit.IsOpen(r):
			depth++
		case listkit.IsClose(r):
			depth--
			if depth == 0 {
				return string(rs[1:i])
			}
		}
	}
	return string(rs[1:])
}

// unwrap returns the inside of a string wholly enclosed in one pair of
// brackets, "(x)" or "（x）" (MOF mixes the two widths in one pair).
func unwrap(s string) (string, bool) {
	rs := []rune(strings.TrimSpace(s))
	if len(rs) < 2 || !listkit.IsOpen(rs[0]) || !listkit.IsClose(rs[len(rs)-1]) {
		return s, false
	}
	depth := 0
	for i, r := range rs {
		switch {
		case listkit.IsOpen(r):
			depth++
		case listkit.IsClose(r):
			depth--
			if depth == 0 && i != len(rs)-1 {
				return s, false // "(a) x (b)": the first bracket closes early
			}
		}
	}
	return strings.TrimSpace(string(rs[1 : len(rs)-1])), true
}

// dropUnbalanced removes brackets that have no partner, left over when a
// list was cut at its separators ("Al-Madina Trust)").
func dropUnbalanced(s string) string {
	rs := []rune(s)
	keep := make([]bool, len(rs))
	var open []int
	for i, r := range rs {
		keep[i] = true
		switch {
		case listkit.IsOpen(r):
			open = append(open, i)
		case listkit.IsClose(r):
			if len(open) == 0 {
				keep[i] = false
			} else {
				open = open[:len(open)-1]
			}
		}
	}
	for _, i := range open {
		keep[i] = false
	}
	var b strings.Builder
	for i, r := range rs {
		if keep[i] {
			b.WriteRune(r)
		}
	}
	return b.String()
}
