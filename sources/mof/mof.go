// Package mof reads the Ministry of Finance asset-freeze list (経済制裁措置及び
// 対象者リスト), an xlsx workbook with one sheet per sanctions regime. Every
// sheet has its own header row starting 告示日付, 告示番号, 日本語表記,
// 英語表記 followed by regime-specific columns (aliases, titles, birth data,
// passports, addresses, notes); sheets marked 【解除】 are lifted regimes and
// carry no header.
//
// Reader: ParseXLSX walks the sheets and finds each header.
// Mapper: mapRow turns one designation row (plus the note rows under it)
// into a screening.Entry.
package mof

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/sources/country"
	"github.com/hikiai/hikiai/sources/internal/listkit"
	"golang.org/x/text/unicode/norm"
)

// Source is the list code of the MOF asset-freeze list.
const Source = "jp_mof"

// role is what a column means for the entry.
type role int

const (
	roleIgnore role = iota
	roleDate
	roleNumber
	roleNameJA
	roleNameEN
	roleAlias
	roleFormer
	roleWeakAlias
	roleTitle
	roleBirthDate
	roleBirthPlace
	roleNationality
	rolePassport
	roleNationalID
	roleAddress
	roleUNRef
	roleUNListed
	rolePhone
	roleFax
	roleNotes
)

// roleOf maps a header cell to its role. MOF words the same column in
// several ways across sheets (別名, 別称, 別名・別称, 別称・旧称 ...).
func roleOf(header string) role {
	h := norm.NFKC.String(listkit.Clean(header))
	switch {
	case h == "告示日付":
		return roleDate
	case h == "告示番号":
		return roleNumber
	case h == "日本語表記":
		return roleNameJA
	case h == "英語表記":
		return roleNameEN
	case strings.Contains(h, "確定に十分でない"):
		return roleWeakAlias
	case strings.HasPrefix(h, "旧称"), strings.Contains(h, "以前の"), strings.Contains(h, "過去の別名"):
		return roleFormer
	case strings.Contains(h, "別名"), strings.Contains(h, "別称"):
		return roleAlias
	case strings.Contains(h, "称号"), strings.Contains(h, "肩書"), strings.Contains(h, "役職"):
		return roleTitle
	case strings.HasPrefix(h, "生年月日"):
		return roleBirthDate
	case strings.HasPrefix(h, "出生地"):
		return roleBirthPlace
	case h == "国籍":
		return roleNationality
	case strings.Contains(h, "旅券"):
		return rolePassport
	case h == "ID番号", strings.Contains(h, "身分登録番号"), strings.Contains(h, "身分証番号"):
		return roleNationalID
	case strings.Contains(h, "住所"), strings.Contains(h, "所在地"), strings.Contains(h, "活動地域"):
		return roleAddress
	case strings.Contains(h, "国連参照番号"):
		return roleUNRef
	case strings.Contains(h, "指定日"), strings.Contains(h, "リスト掲載日"):
		return roleUNListed
	case strings.HasPrefix(h, "電話"):
		return rolePhone
	case strings.EqualFold(h, "FAX"):
		return roleFax
	case strings.Contains(h, "その他の情報"), h == "詳細", strings.Contains(h, "根拠"):
		return roleNotes
	}
	return roleIgnore
}

// sheet is one regime sheet with its header mapped.
type sheet struct {
	name   string // as in the workbook
	number string // the leading "2." of "2.タリバーン関係者等"
	label  string // the name without the number: the regime
	roles  []role
	kind   screening.EntryKind // from the sheet name, or "" for mixed sheets
	hasDOB bool
}

var sheetNumber = regexp.MustCompile(`^\s*(\d+)\s*[.．]\s*(.*)$`)

// ParseXLSX reads the MOF workbook.
func ParseXLSX(ctx context.Context, r io.Reader, file string) ([]screening.Entry, error) {
	wb, err := listkit.OpenWorkbook(r)
	if err != nil {
		return nil, listkit.Wrap(file, "", "not a readable xlsx workbook", err)
	}
	defer wb.Close()
	var entries []screening.Entry
	sheets := 0
	for pos, name := range wb.GetSheetList() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows, err := wb.GetRows(name)
		if err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("sheet %q", name), "cannot read rows", err)
		}
		hdr := headerRow(rows)
		if hdr < 0 {
			continue // the index sheet and lifted regimes have no list
		}
		sh := newSheet(name, pos+1, rows[hdr])
		if err := sh.check(); err != nil {
			return nil, listkit.Wrap(file, fmt.Sprintf("sheet %q row %d", name, hdr+1), "bad header", err)
		}
		sheets++
		got, err := sh.mapRows(ctx, file, rows, hdr+1)
		if err != nil {
			return nil, err
		}
		entries = append(entries, got...)
	}
	if sheets == 0 {
		return nil, listkit.Errorf(file, "", "no sheet has the MOF header row (告示日付, 告示番号, 日本語表記, 英語表記)")
	}
	if len(entries) == 0 {
		return nil, listkit.Errorf(file, "", "the list has no entries")
	}
	if err := listkit.Validate(file, entries); err != nil {
		return nil, err
	}
	return entries, nil
}

// headerRow finds the row starting 告示日付 near the top of a sheet.
func headerRow(rows [][]string) int {
	for i, r := range rows {
		if i > 12 {
			break
		}
		if len(r) > 0 && roleOf(r[0]) == roleDate {
			return i
		}
	}
	return -1
}

func newSheet(name string, pos int, header []string) *sheet {
	sh := &sheet{name: name, number: strconv.Itoa(pos), label: listkit.Clean(name)}
	if m := sheetNumber.FindStringSubmatch(name); m != nil {
		sh.number, sh.label = m[1], listkit.Clean(m[2])
	}
	for _, h := range header {
		r := roleOf(h)
		sh.roles = append(sh.roles, r)
		if r == roleBirthDate {
			sh.hasDOB = true
		}
	}
	switch {
	case strings.Contains(sh.label, "個人"):
		sh.kind = screening.KindPerson
	case strings.Contains(sh.label, "団体"), strings.Contains(sh.label, "銀行"):
		sh.kind = screening.KindOrganisation
	case !sh.hasDOB:
		sh.kind = screening.KindOrganisation // entity sheets have no birth dates
	}
	return sh
}

func (sh *sheet) check() error {
	need := map[role]string{roleDate: "告示日付", roleNumber: "告示番号", roleNameJA: "日本語表記", roleNameEN: "英語表記"}
	for _, r := range sh.roles {
		delete(need, r)
	}
	for _, h := range []role{roleNumber, roleNameJA, roleNameEN} {
		if name, ok := need[h]; ok {
			return fmt.Errorf("column %s missing", name)
		}
	}
	return nil
}

// row reads the cells of one spreadsheet row by role; cells of the same role
// (two alias columns, say) are kept in column order.
type row map[role][]string

func (sh *sheet) read(cells []string) row {
	r := row{}
	for i, c := range cells {
		if i >= len(sh.roles) || strings.TrimSpace(c) == "" {
			continue
		}
		r[sh.roles[i]] = append(r[sh.roles[i]], c)
	}
	return r
}

func (r row) first(ro role) string {
	if v := r[ro]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (sh *sheet) mapRows(ctx context.Context, file string, rows [][]string, start int) ([]screening.Entry, error) {
	var out []screening.Entry
	seen := map[string]int{}
	current := -1 // index in out of the entry that note rows belong to
	for i := start; i < len(rows); i++ {
		if err := listkit.CheckContext(ctx, i); err != nil {
			return nil, err
		}
		loc := fmt.Sprintf("sheet %q row %d", sh.name, i+1)
		r := sh.read(rows[i])
		date, number := listkit.Clean(r.first(roleDate)), listkit.Clean(r.first(roleNumber))
		if date == "" && number == "" {
			// A row under a designation that only continues its notes.
			if current >= 0 {
				appendNotes(&out[current], r)
			}
			continue
		}
		if strings.Contains(date, "削除") || onlyDateAndNumber(r) {
			// Lifted designations keep their row with 削除 (deleted) in the
			// date cell, or just the date and number with nothing else.
			current = -1
			continue
		}
		e, err := sh.mapRow(r, number)
		if err != nil {
			return nil, listkit.Wrap(file, loc, "bad entry", err)
		}
		if prev, dup := seen[e.SourceID]; dup {
			return nil, listkit.Errorf(file, loc, "notice number %q repeats row %d", number, prev)
		}
		seen[e.SourceID] = i + 1
		out = append(out, e)
		current = len(out) - 1
	}
	return out, nil
}

func onlyDateAndNumber(r row) bool {
	for ro := range r {
		if ro != roleDate && ro != roleNumber {
			return false
		}
	}
	return true
}

var noticeNumber = regexp.MustCompile(`^[*＊#＃]?\s*(\d+)`)

func (sh *sheet) mapRow(r row, number string) (screening.Entry, error) {
	m := noticeNumber.FindStringSubmatch(norm.NFKC.String(number))
	if m == nil {
		return screening.Entry{}, fmt.Errorf("notice number %q has no number", number)
	}
	e := screening.Entry{Source: Source, SourceID: sh.number + "-" + m[1], Kind: sh.kind}
	attrs := listkit.Attrs{}
	attrs.Add("sheet", sh.name)
	if number != m[1] {
		attrs.Add("notice_number", number) // keeps cross references like "2(*39)"
	}
	e.Programs = []string{sh.label}

	var names listkit.Names
	en, enOther := splitEnglishName(r.first(roleNameEN))
	ja := splitJapaneseName(r.first(roleNameJA))
	switch {
	case len(en) > 0:
		names.Add(en[0], screening.NamePrimary)
	case len(ja) > 0:
		names.AddScript(ja[0], screening.NamePrimary, "Jpan")
	default:
		return e, errors.New("no name in 日本語表記 or 英語表記")
	}
	for _, n := range en {
		names.Add(n, screening.NameStrong)
	}
	for _, n := range enOther {
		names.Add(n, screening.NameStrong)
	}
	for _, n := range ja {
		names.AddScript(n, screening.NameStrong, japaneseScript(n))
	}
	for _, ro := range []role{roleAlias, roleFormer, roleWeakAlias} {
		strength := screening.NameStrong
		if ro == roleWeakAlias {
			strength = screening.NameWeak
		}
		for _, c := range r[ro] {
			for _, a := range splitAliases(c) {
				names.AddScript(a, strength, japaneseScript(a))
				if ro == roleFormer {
					attrs.Add("former_names", a)
				}
			}
		}
	}
	e.Names = names.List()

	if e.Kind == "" {
		if sh.hasDOB && !listkit.Empty(r.first(roleBirthDate)) {
			e.Kind = screening.KindPerson
		} else {
			e.Kind = screening.KindUnknown
		}
	}
	e.ListedOn = dotDate(firstLine(r.first(roleDate)))
	if lines := listkit.Lines(r.first(roleDate)); len(lines) > 1 {
		attrs.Add("amended", dotDate(strings.TrimSuffix(lines[len(lines)-1], "改訂")))
	}

	var countries listkit.Set
	for _, c := range r[roleNationality] {
		for _, item := range items(c) {
			if code := countryOf(item); code != "" {
				countries.Add(code)
			} else {
				attrs.Add("unmapped_countries", item)
			}
		}
	}
	for _, c := range r[roleAddress] {
		for _, item := range items(c) {
			a := screening.Address{Full: item, Country: countryOf(item)}
			e.Addresses = append(e.Addresses, a)
			if a.Country != "" {
				countries.Add(a.Country)
			}
		}
	}
	e.Countries = countries.List()

	var ids listkit.IDs
	for _, c := range r[rolePassport] {
		for _, n := range documentNumbers(c) {
			ids.Add("passport", n, "")
		}
		attrs.Add("passport", c)
	}
	for _, c := range r[roleNationalID] {
		for _, n := range documentNumbers(c) {
			ids.Add("national_id", n, "")
		}
		attrs.Add("national_id", c)
	}
	for _, c := range r[rolePhone] {
		for _, p := range strings.Split(c, "/") {
			ids.Add("phone", p, "")
		}
	}
	for _, c := range r[roleFax] {
		ids.Add("fax", c, "")
	}
	e.Identifiers = ids.List()

	for _, c := range r[roleBirthDate] {
		for _, item := range items(c) {
			attrs.Add("birth_dates", birthDate(item))
		}
	}
	for _, c := range r[roleBirthPlace] {
		attrs.Add("birth_places", c)
	}
	for _, c := range r[roleTitle] {
		attrs.Add("position", c)
	}
	for _, c := range r[roleUNRef] {
		attrs.Add("un_reference", c)
	}
	for _, c := range r[roleUNListed] {
		if d := listkit.DateExcelSerial(c); d != "" {
			attrs.Add("un_listed_on", d)
		} else {
			attrs.Add("un_listed_on", c)
		}
	}
	appendNotes(&e, r)
	e.Attributes = attrs.Map()
	return e, nil
}

func appendNotes(e *screening.Entry, r row) {
	for _, c := range r[roleNotes] {
		c = strings.TrimSpace(c)
		if c == "" || listkit.Empty(c) {
			continue
		}
		if e.Remarks != "" {
			e.Remarks += "\n"
		}
		e.Remarks += c
	}
}

func firstLine(s string) string {
	if l := listkit.Lines(s); len(l) > 0 {
		return l[0]
	}
	return ""
}

// dotDate reads MOF's "2001.9.22" notice dates.
func dotDate(s string) string {
	p := strings.Split(strings.TrimSpace(norm.NFKC.String(s)), ".")
	if len(p) != 3 {
		return ""
	}
	y, err1 := strconv.Atoi(p[0])
	m, err2 := strconv.Atoi(p[1])
	d, err3 := strconv.Atoi(p[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return ""
	}
	return listkit.DateISO(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
}

var (
	jaDate     = regexp.MustCompile(`^(\d{4})\s*年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?)?\s*(?:生)?$`)
	weekdayFmt = "Monday, January 02, 2006"
)

// birthDate normalises one birth date item: an Excel day number, "1955年",
// "1941年8月20日", or "Tuesday, October 07, 1952"; other text (ranges,
// "頃" approximations) is kept as written.
func birthDate(s string) string {
	s = listkit.Clean(norm.NFKC.String(s))
	if d := listkit.DateExcelSerial(s); d != "" && !strings.ContainsAny(s, "年/-") && len(s) >= 4 && len(s) <= 6 {
		if len(s) == 4 {
			return s // a bare year, not a day number
		}
		return d
	}
	if m := jaDate.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		iso := fmt.Sprintf("%04d", y)
		if mo > 0 {
			iso += fmt.Sprintf("-%02d", mo)
			if d > 0 {
				iso += fmt.Sprintf("-%02d", d)
			}
		}
		if v := listkit.DateISO(iso); v != "" {
			return v
		}
	}
	if t, err := time.Parse(weekdayFmt, s); err == nil {
		return t.Format("2006-01-02")
	}
	if d := listkit.DateEnglish(s); d != "" {
		return d
	}
	return s
}

// countryOf reads a nationality or the country of an address, in Japanese or
// English: a whole name, a Japanese name at the start ("北朝鮮平壌特別市"),
// or an English name at the end ("..., Moscow, Russian Federation").
func countryOf(s string) string {
	s = listkit.Clean(s)
	if c := country.Code(s); c != "" {
		return c
	}
	if c := country.JapanesePrefix(s); c != "" {
		return c
	}
	return country.AddressTail(s)
}

// japaneseScript labels the names written in the Japanese columns: MOF's
// Japanese renderings mix kana and kanji, and kanji-only names there are
// Japanese readings too.
func japaneseScript(s string) string {
	if listkit.HasCJK(s) {
		return "Jpan"
	}
	return listkit.Script(s)
}

var docNumber = regexp.MustCompile(`[A-Z]{0,3}[0-9][0-9A-Z\-]{4,}`)

// documentNumbers pulls passport and ID numbers (D00002264, M4800002143743,
// 001-843-989-7) out of a free-text cell, leaving dates and prose behind.
func documentNumbers(s string) []string {
	s = norm.NFKC.String(s)
	var out []string
	for _, m := range docNumber.FindAllString(s, -1) {
		m = strings.Trim(m, "-")
		if len(m) < 5 || strings.Count(m, "-") > 4 {
			continue
		}
		out = append(out, m)
	}
	return out
}

// IsHeader reports whether a row is the header of a MOF regime sheet.
func IsHeader(row []string) bool {
	return len(row) > 3 && roleOf(row[0]) == roleDate && roleOf(row[1]) == roleNumber
}
