package screening

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Text folding for the red-flag checks. Company names are folded by package
// names; what is here folds the other free text the checks compare: product
// codes, descriptions, declared uses, addresses, e-mail addresses.

// foldText returns s in NFKC (full-width ＡＢＣ１２３ and half-width ｶﾅ become
// ABC123 and カナ) and lower case, so that comparisons ignore width and case.
func foldText(s string) string {
	return strings.ToLower(norm.NFKC.String(s))
}

// isCJK reports whether r is written without spaces between words (kanji,
// kana, hangul): such text is compared as one run of characters.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == 'ー' || r == '々'
}

// compact folds s and keeps only letters and digits: "General-use." and
// 「一般 用途」 become "generaluse" and "一般用途".
func compact(s string) string {
	var b strings.Builder
	for _, r := range foldText(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == 'ー' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tokens folds s and splits it into words: runs of letters, runs of digits
// and runs of CJK characters. A change between them also ends a word, so
// "丸の内1丁目" gives "丸の内", "1", "丁目" and "0.8um" gives "0", "8", "um".
func tokens(s string) []string {
	var out []string
	var cur []rune
	kind := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range foldText(s) {
		k := runeClass(r)
		if k != kind {
			flush()
			kind = k
		}
		if k != 0 {
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// runeClass: 0 separator, 1 letter of an alphabet, 2 digit, 3 CJK.
func runeClass(r rune) int {
	switch {
	case isCJK(r):
		return 3
	case unicode.IsDigit(r):
		return 2
	case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
		return 1
	}
	return 0
}

// productCodeKey folds a product code so that "MC-5X200", "mc 5x200" and
// "ＭＣ－５Ｘ２００" are one code: NFKC, lower case, letters and digits only.
func productCodeKey(code string) string {
	return compact(code)
}

// controlEntryKey folds a control entry ("2B001.b.2", "2b001b2") for prefix
// comparison: upper case, letters and digits only.
func controlEntryKey(s string) string {
	return strings.ToUpper(compact(s))
}

// hsKey keeps the digits of an HS code: "8457.10" becomes "845710".
func hsKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// emailKey folds an e-mail address: lower case, and a "+tag" dropped from the
// local part (sales+cn@x.com is sales@x.com). It returns the address and its
// domain, or "" when s is not an address.
func emailKey(s string) (addr, domain string) {
	s = strings.TrimSpace(foldText(s))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", ""
	}
	local, domain := s[:at], strings.TrimSuffix(s[at+1:], ".")
	if plus := strings.IndexByte(local, '+'); plus > 0 {
		local = local[:plus]
	}
	if domain == "" || !strings.Contains(domain, ".") {
		return "", ""
	}
	return local + "@" + domain, domain
}

// domainIn reports whether domain is one of list or a subdomain of one
// (vip.163.com is 163.com).
func domainIn(domain string, list map[string]bool) bool {
	for d := domain; d != ""; {
		if list[d] {
			return true
		}
		dot := strings.IndexByte(d, '.')
		if dot < 0 {
			break
		}
		d = d[dot+1:]
	}
	return false
}

// addressKey folds a postal address so that the same place written
// differently gives the same key: width, case and punctuation ignored, common
// abbreviations expanded (St → street, Bldg → building), Japanese block
// markers (丁目, 番地, 番, 号) treated as separators, "No." before a house number
// dropped, and the words sorted, since addresses in English are written in
// either order; neighbouring kanji and kana words are joined, since Japanese
// is written with or without spaces. It returns "" when the address has fewer
// than minTokens words or (when needDigit) no number: "Beijing" alone is not
// an address to compare.
func addressKey(s string, abbrev map[string]string, minTokens int, needDigit bool) string {
	s = foldText(s)
	for _, m := range []string{"丁目", "番地", "番", "号"} {
		s = strings.ReplaceAll(s, m, " ")
	}
	s = strings.ReplaceAll(s, "の", "") // 丸の内 and 丸ノ内 are one place; 丸内 stands for both
	s = strings.ReplaceAll(s, "ノ", "")
	var words []string
	seen := map[string]bool{}
	hasDigit := false
	for _, t := range mergeCJK(tokens(s)) {
		if full, ok := abbrev[t]; ok {
			t = full
		}
		if t == "" || t == "no" || t == "number" {
			continue
		}
		if t[0] >= '0' && t[0] <= '9' {
			hasDigit = true
			t = strings.TrimLeft(t, "0")
			if t == "" {
				t = "0"
			}
		}
		if !seen[t] {
			seen[t] = true
			words = append(words, t)
		}
	}
	if len(words) < minTokens || (needDigit && !hasDigit) {
		return ""
	}
	sort.Strings(words)
	return strings.Join(words, " ")
}

// mergeCJK joins neighbouring CJK words: Japanese addresses are written with
// or without spaces ("東京都 千代田区" and "東京都千代田区" are one place).
func mergeCJK(ts []string) []string {
	out := ts[:0:0]
	for _, t := range ts {
		if n := len(out); n > 0 && runeClass([]rune(t)[0]) == 3 && runeClass([]rune(out[n-1])[0]) == 3 {
			out[n-1] += t
			continue
		}
		out = append(out, t)
	}
	return out
}

// descriptionKey folds a product description into the sorted set of its
// words without stop words, so that "5-axis machining centre, 0.8 um" and
// "Machining Centre (5 axis) 0.8um" are one description. It returns "" when
// fewer than minTokens words are left: "pump" alone says too little.
func descriptionKey(s string, stop map[string]bool, minTokens int) string {
	seen := map[string]bool{}
	var words []string
	for _, t := range tokens(s) {
		if stop[t] || seen[t] {
			continue
		}
		seen[t] = true
		words = append(words, t)
	}
	if len(words) < minTokens {
		return ""
	}
	sort.Strings(words)
	return strings.Join(words, " ")
}

// keywordSet finds keywords in free text after folding. Keywords written in
// an alphabet match whole words (with a few English endings: "school" finds
// "schools", "education" finds "educational"); keywords in kanji or kana
// match anywhere in the text with spaces and punctuation removed, since
// Japanese does not separate words.
type keywordSet struct {
	words []keyword
}

type keyword struct {
	raw    string
	folded string
	cjk    bool
}

// englishEndings may follow a keyword written in an alphabet.
var englishEndings = []string{"", "s", "es", "al", "ing", "ist", "ists", "er", "ers", "ed"}

func newKeywordSet(list []string) keywordSet {
	ks := keywordSet{}
	for _, w := range list {
		k := keyword{raw: w}
		for _, r := range w {
			if isCJK(r) {
				k.cjk = true
				break
			}
		}
		if k.cjk {
			k.folded = compact(w)
		} else {
			k.folded = strings.Join(tokens(w), " ")
		}
		if k.folded != "" {
			ks.words = append(ks.words, k)
		}
	}
	return ks
}

// foldedText is free text prepared once for keyword matching.
type foldedText struct {
	spaced  string // " word word " with single spaces around every word
	compact string
}

func prepareText(s string) foldedText {
	return foldedText{spaced: " " + strings.Join(tokens(s), " ") + " ", compact: compact(s)}
}

// find returns the keywords found in t, in the order of the set, each once.
func (ks keywordSet) find(t foldedText) []string {
	var out []string
	for _, k := range ks.words {
		if k.cjk {
			if strings.Contains(t.compact, k.folded) {
				out = append(out, k.raw)
			}
			continue
		}
		if containsWord(t.spaced, k.folded) {
			out = append(out, k.raw)
		}
	}
	return out
}

// containsWord reports whether phrase occurs in spaced (" a b c ") starting at
// a word boundary and ending at one, allowing an English ending.
func containsWord(spaced, phrase string) bool {
	for from := 0; ; {
		i := strings.Index(spaced[from:], " "+phrase)
		if i < 0 {
			return false
		}
		rest := spaced[from+i+1+len(phrase):]
		end := strings.IndexByte(rest, ' ')
		if end >= 0 {
			tail := rest[:end]
			for _, e := range englishEndings {
				if tail == e {
					return true
				}
			}
		}
		from += i + 1
	}
}

// specNumber reads a numeric spec value from catalogue YAML (int, float) or
// an inquiry (float64, or a string holding a number, possibly full-width and
// followed by a unit: "０．８ µm").
func specNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x)
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case string:
		s := strings.TrimSpace(norm.NFKC.String(x))
		end := 0
		for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || s[end] == '-' || s[end] == '+' || s[end] == 'e' || s[end] == 'E') {
			end++
		}
		// Let "1.5e7" parse but not eat the "e" of "1.5 em".
		for end > 0 {
			if f, err := strconv.ParseFloat(s[:end], 64); err == nil {
				return f, true
			}
			end--
		}
	}
	return 0, false
}

// specBool reads a boolean spec value: true/false, or "yes"/"no", "true"/"false".
func specBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch compact(x) {
		case "true", "yes", "y", "1", "はい", "有", "あり":
			return true, true
		case "false", "no", "n", "0", "いいえ", "無", "なし":
			return false, true
		}
	}
	return false, false
}

// specString reads a text spec value, folded.
func specString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(foldText(x)), true
	case bool:
		return strconv.FormatBool(x), true
	}
	if f, ok := specNumber(v); ok {
		return strconv.FormatFloat(f, 'g', -1, 64), true
	}
	return "", false
}

// humanWindow writes a window for a sales person: "14 days" / 「14日」.
func humanWindow(d time.Duration) (en, ja string) {
	switch {
	case d <= 0:
		return "any time", "期間を問わず"
	case d%(24*time.Hour) == 0:
		days := int(d / (24 * time.Hour))
		if days == 1 {
			return "1 day", "1日"
		}
		return fmt.Sprintf("%d days", days), fmt.Sprintf("%d日", days)
	default:
		h := d.Hours()
		return fmt.Sprintf("%g hours", h), fmt.Sprintf("%g時間", h)
	}
}

// windowDays gives a window in days for evidence (0 means any time).
func windowDays(d time.Duration) float64 {
	return math.Round(d.Hours()/24*100) / 100
}

// within reports whether at lies within w of ref on either side (w 0: always).
func within(at, ref time.Time, w time.Duration) bool {
	if w <= 0 {
		return true
	}
	d := at.Sub(ref)
	if d < 0 {
		d = -d
	}
	return d <= w
}

// joinNames lists up to max names for a message, "A, B and 2 more".
func joinNames(list []string, max int, lang string) string {
	if len(list) <= max {
		if lang == "ja" {
			return strings.Join(list, "、")
		}
		return strings.Join(list, ", ")
	}
	more := len(list) - max
	if lang == "ja" {
		return strings.Join(list[:max], "、") + fmt.Sprintf(" ほか%d社", more)
	}
	return strings.Join(list[:max], ", ") + fmt.Sprintf(" and %d more", more)
}

// severityFor maps points to a severity, the same for every check so that a
// reviewer reads severities alike.
func severityFor(points int) string {
	switch {
	case points >= 40:
		return SeverityHigh
	case points >= 20:
		return SeverityMedium
	case points > 0:
		return SeverityLow
	}
	return SeverityInfo
}

// roleNames are how messages call each party.
var roleNames = map[string][2]string{
	RoleCustomer:     {"customer", "顧客"},
	RoleEndUser:      {"end user", "最終需要者"},
	RolePayer:        {"payer", "支払者"},
	RoleConsignee:    {"consignee", "荷受人"},
	RoleIntermediary: {"intermediary", "仲介者"},
}

// roleName gives the English and Japanese name of a role ("intermediaries[0]"
// is an intermediary).
func roleName(role string) (en, ja string) {
	if strings.HasPrefix(role, "intermediaries[") {
		role = RoleIntermediary
	}
	if n, ok := roleNames[role]; ok {
		return n[0], n[1]
	}
	return role, role
}

// validPoints checks a points setting.
func validPoints(name string, p int) error {
	if p < 0 || p > 100 {
		return fmt.Errorf("%s: %d is not within 0..100", name, p)
	}
	return nil
}

// validWindow checks a window setting (0 means any time).
func validWindow(name string, w time.Duration, max time.Duration) error {
	if w < 0 || w > max {
		return fmt.Errorf("%s: %s is not within 0..%s", name, w, max)
	}
	return nil
}
